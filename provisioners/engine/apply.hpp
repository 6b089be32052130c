// Carries out a plan: lab-wide and per-node preparation in order, then the domains started
// with up to `jobs` in parallel, then every node awaited in parallel. Each step is reported
// through the run's util::Reporter: `[  1.25s] network mom-hostonly  defined`.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "engine/desired.hpp"
#include "engine/image_cache.hpp"
#include "engine/plan.hpp"
#include "engine/seed_writer.hpp"
#include "engine/ssh_wait.hpp"
#include "util/reporter.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

struct ApplyOptions {
    int jobs = 0;  // domains started at once; 0: one per node, capped by the host's cores
    SeedWriter* seeds = nullptr;
    SshWaiter* waiter = nullptr;
    std::chrono::milliseconds boot_timeout{0};  // 0: the driver's default
    // Called before each action (tests inject failures here to interrupt `up` at step k).
    std::function<void(size_t index, const Action&)> before_action;
    // Sends a file into a volume on a host that shares no disk with labctl; null: libvirt's
    // upload (tests on test:///, which cannot upload, record the calls instead).
    VolumeUpload upload;
};

// The default SSH deadline per driver: TCG guests take 30-45 s each on a 2-core host.
std::chrono::milliseconds default_boot_timeout(virt::DomainKind kind);

void apply_plan(virt::Connection& connection, const topo::Lab& lab, const Desired& desired,
                const std::vector<Action>& plan, const ApplyOptions& options,
                util::Reporter& report);

}  // namespace labctl::engine
