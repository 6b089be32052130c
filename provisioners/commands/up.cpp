#include "commands/up.hpp"

#include "commands/lab_loading.hpp"
#include "commands/up_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>

#include "commands/lab_commands.hpp"
#include "commands/link_impairment.hpp"
#include "commands/node_readiness.hpp"
#include "commands/node_seed.hpp"
#include "commands/port_forwards.hpp"
#include "commands/provision_step.hpp"
#include "engine/apply.hpp"
#include "engine/desired.hpp"
#include "engine/drift.hpp"
#include "engine/lab_census.hpp"
#include "engine/lab_connections.hpp"
#include "engine/lab_state.hpp"
#include "engine/stopped_nodes.hpp"
#include "engine/target.hpp"
#include "image/cloud_image.hpp"
#include "image/image_build.hpp"
#include "store/paths.hpp"
#include "util/interrupt.hpp"
#include "util/reporter.hpp"
#include "util/strings.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

void build_missing_images(const topo::Lab& lab, util::Reporter& progress) {
    // `class up` brings several copies up at once: one of them builds a missing image
    // while the others wait for it, instead of every copy building the same image.
    static std::mutex image_build_mutex;
    std::lock_guard image_lock(image_build_mutex);
    std::set<std::string> images;
    for (const auto& node : lab.nodes)
        if (!node.uses_cloud_image()) images.insert(node.image);
    for (const auto& image : images)
        if (!std::filesystem::exists(store::image_dir(image) / "manifest.json")) {
            progress.step("base image " + image + " is missing: building it from Debian packages");
            image::build_image(image, false, progress.stream());
        }
}

int provision_and_verify(const GlobalOptions& global, const UpOptions& options,
                         const topo::Lab& lab, const std::filesystem::path& state_dir,
                         const std::vector<std::string>& only,
                         const std::vector<std::string>& booted,
                         std::chrono::milliseconds address_timeout, std::ostream& out,
                         util::Reporter& progress) {
    util::interrupt_point("wait for planned addresses");
    // SSH on the first NIC is not readiness: every NIC must show its planned address (a DHCP
    // lease on a second network may still be on its way) before anything uses the lab.
    wait_for_planned_addresses(lab, state_dir, booted, options.jobs,
                               std::chrono::duration_cast<std::chrono::seconds>(address_timeout),
                               progress);

    util::interrupt_point("provision");
    auto summary = provision_lab(lab, state_dir, only, progress, options.jobs);
    progress.step("provisioned " + std::to_string(summary.services) + " service instance(s), " +
                  std::to_string(summary.changed) + " changed" +
                  (summary.left > 0 ? ", " + std::to_string(summary.left) + " left for the student"
                                    : std::string()));
    if (options.no_verify || !only.empty()) return 0;
    util::interrupt_point("verify");
    progress.step("verify");
    // The declared checks of a course lab grade the students' part: shown, not up's verdict.
    bool ok = verify_lab(lab, state_dir, out, false, global.color, options.jobs, {},
                         !has_student_work(lab));
    progress.step(ok ? "lab verified" : "verification FAILED");
    return ok ? 0 : 1;
}

UpSelection select_nodes_to_start(const topo::Lab& lab, const std::vector<std::string>& only,
                                  const std::filesystem::path& state_dir,
                                  util::Reporter& progress) {
    UpSelection selection{only, engine::load_stopped_nodes(state_dir), false};
    if (!only.empty() || selection.stopped.empty()) return selection;
    std::vector<std::string> left;
    for (const auto& node : lab.nodes)
        if (selection.stopped.count(node.name))
            left.push_back(node.name);
        else
            selection.only.push_back(node.name);
    if (!left.empty())
        progress.step("node(s) " + util::join(left, ", ") +
                      " stopped by the user: left stopped (`labctl start NODE` or `labctl up "
                      "--only NODE` starts one)");
    selection.nothing = selection.only.empty();
    return selection;
}

void forget_started_nodes(const std::filesystem::path& state_dir,
                          const std::vector<std::string>& only, std::set<std::string> stopped) {
    if (only.empty() || stopped.empty()) return;
    for (const auto& node : only) stopped.erase(node);
    engine::save_stopped_nodes(state_dir, stopped);
}

engine::ApplyOptions up_apply_options(const UpOptions& options, const UpHooks& hooks,
                                      engine::BannerWaiter& banner) {
    engine::ApplyOptions apply;
    apply.jobs = options.jobs;
    apply.seeds = hooks.seeds;
    apply.waiter = hooks.waiter ? hooks.waiter : &banner;
    // LABCTL_BOOT_TIMEOUT=SECONDS overrides the per-driver SSH deadline (slow CI hosts, tests).
    if (const char* text = std::getenv("LABCTL_BOOT_TIMEOUT"); text && *text)
        apply.boot_timeout = std::chrono::seconds(std::atoi(text));
    apply.before_action = hooks.before_action;
    apply.upload = hooks.upload;
    return apply;
}

int up_lab(const GlobalOptions& global, const UpOptions& options, std::ostream& out,
           const UpHooks& hooks) {
    util::Reporter progress(out, global.verbosity);
    topo::Lab lab = load_lab(global);
    auto state_dir = store::lab_state_dir(lab.lab.name);
    std::optional<engine::LabLock> lock;
    if (!options.dry_run) lock.emplace(state_dir, lab.lab.name, "up");
    // [hosts]: the lab spans hypervisors (SPEC.md section 6); without, exactly one libvirt.
    if (!lab.hosts.empty()) return up_across_hosts(global, options, out, hooks, lab, progress);

    auto driver = engine::requested_driver(global.driver, lab.lab.driver);
    auto record = engine::load_record(state_dir);
    std::string uri = engine::choose_uri(
        global.connect, lab.lab.connect.empty() && record ? record->uri : lab.lab.connect, driver);
    util::interrupt_point("connect to " + uri);
    virt::Connection connection(uri);
    auto kind = engine::resolve_driver(driver, connection);
    // `auto` keeps the driver the lab was brought up with, so a host whose KVM state changed
    // (or a lab first started with --driver) does not flip drivers under running guests.
    if (global.driver.empty() && lab.lab.driver == topo::Driver::automatic && record &&
        record->uri == uri)
        if (auto recorded = engine::parse_kind(record->driver)) kind = *recorded;
    progress.step("libvirt " + uri + ", driver " + virt::to_string(kind));
    // A user's disk image must exist, be readable and be qcow2 or raw, and needs a VM: exit 2
    // at the node's `image` line before anything is created.
    image::check_cloud_images(lab, kind != virt::DomainKind::lxc);

    // A missing base image is built first, like a box a Vagrant user never had to fetch (the
    // test driver boots nothing and needs none).
    if (!options.dry_run && !connection.is_test_driver()) build_missing_images(lab, progress);

    auto selection = select_nodes_to_start(lab, options.only, state_dir, progress);
    if (selection.nothing) return 0;
    const auto& only = selection.only;

    bool with_seed = hooks.seeds != nullptr;
    auto desired = engine::desired_state(lab, kind, only, with_seed);
    // Another lab on this libvirt with the same subnet or libvirt names: refused before
    // anything changes.
    engine::check_no_collision(engine::take_census(connection), desired);
    // A host port another lab forwards, or a program listens on, is refused here too.
    if (!connection.is_test_driver()) check_forward_ports(lab);
    // The test driver's guests are fake: there is nothing to wait for, and probing their
    // addresses would send traffic outside the test's own namespace.
    bool wait = !connection.is_test_driver();
    auto plan = engine::make_plan(connection, desired, wait, with_seed);
    for (const auto& difference : engine::find_drift(connection, desired))
        progress.warning(difference +
                         " (left as it is; `labctl down` then `labctl up` applies it)");

    if (options.dry_run) {
        size_t changes = 0;
        for (const auto& action : plan) {
            out << "  would " << action.describe() << "\n";
            changes += action.mutates() ? 1 : 0;
        }
        out << (changes == 0 ? "nothing to change" : std::to_string(changes) + " change(s) planned")
            << "\n";
        return 0;
    }

    // Record what `down` needs before anything exists, so an interrupted `up` is undoable.
    auto wanted = desired.record(uri, lab);
    if (!record || !(*record == wanted)) engine::save_record(state_dir, wanted);

    // Keys before guests: the seed carries them, known_hosts pins them.
    prepare_ssh_identity(lab, state_dir);

    engine::BannerWaiter banner;
    engine::ApplyOptions apply = up_apply_options(options, hooks, banner);
    int before = connection.mutations();
    engine::apply_plan(connection, lab, desired, plan, apply, progress);
    int changes = connection.mutations() - before;
    forget_started_nodes(state_dir, options.only, selection.stopped);
    progress.step("lab " + lab.lab.name + " is up: " + std::to_string(desired.nodes.size()) +
                  " node(s), " +
                  (changes == 0 ? std::string("nothing changed")
                                : std::to_string(changes) + " libvirt change(s)"));
    // The test driver boots nothing: provisioning and verification need real guests.
    if (connection.is_test_driver()) return 0;
    std::vector<std::string> running;
    for (const auto& n : desired.nodes) running.push_back(n.node->name);
    engine::LabConnections hosts(wanted, "", state_dir, true);  // this machine's tc
    apply_link_impairments(hosts, lab, state_dir, running, progress);
    apply_port_forwards(connection, lab, state_dir, progress);

    std::vector<std::string> booted;
    for (const auto& n : desired.nodes) booted.push_back(n.node->name);
    auto address_timeout =
        apply.boot_timeout.count() > 0 ? apply.boot_timeout : engine::default_boot_timeout(kind);
    return provision_and_verify(global, options, lab, state_dir, only, booted, address_timeout, out,
                                progress);
}

int run_up(const GlobalOptions& global, const UpOptions& options, std::ostream& out) {
    ImageSeedWriter seeds;
    UpHooks hooks;
    hooks.seeds = &seeds;
    return up_lab(global, options, out, hooks);
}

}  // namespace labctl::commands
