#include <filesystem>

#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "engine/lab_state.hpp"
#include "engine/netem.hpp"
#include "engine/port_forward.hpp"
#include "engine/stopped_nodes.hpp"
#include "engine/target.hpp"
#include "engine/teardown.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/reporter.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

int run_down(const GlobalOptions& global, const DownOptions& options, std::ostream& out) {
    util::Reporter progress(out, global.verbosity);
    // --lab works without the topology file: everything needed is in the tags and the record.
    std::string lab_name = options.lab.value_or("");
    std::string lab_connect;
    topo::Driver lab_driver = topo::Driver::automatic;
    // The name becomes a directory (the lock, the record): checked before anything is created.
    if (options.lab && lab_name.empty())
        throw InputError(
            "--lab: empty lab name; give the lab's name, or leave --lab out to take it from " +
            global.file);
    if (options.lab && !store::is_lab_name(lab_name))
        throw InputError("--lab `" + lab_name +
                         "`: not a lab name (a lab name matches ^[a-z][a-z0-9-]{0,30}$)");
    if (!options.lab) {
        topo::Lab lab = load_lab(global);
        lab_name = lab.lab.name;
        lab_connect = lab.lab.connect;
        lab_driver = lab.lab.driver;
    }
    auto state_dir = store::lab_state_dir(lab_name);
    engine::LabLock lock(state_dir, lab_name, "down");
    auto record = engine::load_record(state_dir);
    auto driver = engine::requested_driver(global.driver, lab_driver);
    if (record && global.driver.empty() && record->driver == "lxc") driver = topo::Driver::lxc;
    std::string connect = lab_connect.empty() && record ? record->uri : lab_connect;
    std::string uri = engine::choose_uri(global.connect, connect, driver);
    virt::Connection connection(uri);

    // The lab's forwards, by the table's name alone (the test driver's labs have none).
    int forwards = !connection.is_test_driver() && engine::remove_forward_table(lab_name) ? 1 : 0;
    if (forwards)
        progress.step("forwards  removed (nftables table " + engine::forward_table(lab_name) + ")");
    engine::TeardownOptions teardown;
    teardown.keep_disks = options.keep_disks;
    int removed = forwards +
                  engine::teardown_lab(connection, lab_name, state_dir, record, teardown, progress);
    // A lab brought up again starts every node: none is the user's stopped one any more.
    engine::save_stopped_nodes(state_dir, {});
    // The NICs' own qdiscs went with their domains; labctl's ifb devices stay until removed.
    for (const auto& [link, netem] : engine::load_netem(state_dir)) {
        engine::remove_ifb(netem.ifb);
        progress.step("impairment " + link + "  removed (" + netem.ifb + ")");
        ++removed;
    }
    engine::save_netem(state_dir, {});
    if (removed == 0)
        out << "nothing to remove: lab " << lab_name << " has no objects on " << uri << "\n";
    else
        progress.step("lab " + lab_name + " is down");
    return 0;
}

}  // namespace labctl::commands
