// `labctl up` / `down` / `status` on libvirt. The hooks let the lead plug in the identity seed
// writer and the libssh readiness check, and let tests interrupt `up` at any step.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>

#include "commands/options.hpp"
#include "engine/image_cache.hpp"
#include "engine/plan.hpp"
#include "engine/seed_writer.hpp"
#include "engine/ssh_wait.hpp"

namespace labctl::commands {

struct UpHooks {
    engine::SeedWriter* seeds = nullptr;  // null: no seed step (identity comes from elsewhere)
    engine::SshWaiter* waiter = nullptr;  // null: engine::BannerWaiter
    std::function<void(size_t, const engine::Action&)> before_action;
    engine::VolumeUpload upload;  // null: libvirt's upload (engine::ApplyOptions::upload)
};

int up_lab(const GlobalOptions& global, const UpOptions& options, std::ostream& out,
           const UpHooks& hooks);

}  // namespace labctl::commands
