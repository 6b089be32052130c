#include "engine/apply.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "engine/host_access.hpp"
#include "engine/image_cache.hpp"
#include "engine/inventory.hpp"
#include "engine/network_leftovers.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/interrupt.hpp"
#include "util/parallel.hpp"
#include "util/retry.hpp"
#include "util/strings.hpp"
#include "virt/xml_builders.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;
using K = Action::Kind;

std::chrono::milliseconds default_boot_timeout(virt::DomainKind kind) {
    switch (kind) {
        case virt::DomainKind::lxc:
            return std::chrono::seconds(60);
        case virt::DomainKind::kvm:
            return std::chrono::seconds(180);
        case virt::DomainKind::qemu:
            return std::chrono::seconds(300);
    }
    return std::chrono::seconds(300);
}

namespace {

// Held while a network is defined or started (see Applier::prepare).
std::mutex& network_mutex() {
    static std::mutex mutex;
    return mutex;
}

class Applier {
  public:
    Applier(virt::Connection& connection, const topo::Lab& lab, const Desired& desired,
            const ApplyOptions& options, util::Reporter& report)
        : conn_(connection), lab_(lab), desired_(desired), options_(options), report_(report) {}

    void run(const std::vector<Action>& plan) {
        std::vector<std::pair<size_t, const Action*>> starts, waits;
        for (size_t i = 0; i < plan.size(); ++i) {
            const Action& action = plan[i];
            if (action.kind == K::start_domain) {
                starts.emplace_back(i, &action);
            } else if (action.kind == K::wait_ssh) {
                waits.emplace_back(i, &action);
            } else {
                before(i, action);
                prepare(action);
            }
        }
        // --jobs N; by default one per node, capped by the host's cores.
        size_t cores = std::max(1u, std::thread::hardware_concurrency());
        size_t jobs = options_.jobs > 0 ? static_cast<size_t>(options_.jobs)
                                        : std::min(std::max<size_t>(starts.size(), 1), cores);
        in_parallel(starts, jobs, [this](const Action& a) { start(a); });
        in_parallel(waits, std::max<size_t>(waits.size(), 1), [this](const Action& a) { wait(a); });
    }

  private:
    void before(size_t index, const Action& action) {
        util::interrupt_point(action.describe());  // Ctrl-C stops between actions, never inside one
        if (options_.before_action) options_.before_action(index, action);
    }

    // A lab across hosts: each line says which host it happened on.
    void say(const std::string& what) {
        bool named =
            !desired_.host || what.find("host " + desired_.host->host()) != std::string::npos;
        report_.step(named ? what : what + " on host " + desired_.host->host());
    }

    const NodeDesired& node(const std::string& name) const {
        for (const auto& n : desired_.nodes)
            if (n.node->name == name) return n;
        throw std::logic_error("plan names unknown node " + name);
    }

    const virt::NetworkSpec& network(const std::string& name) const {
        for (const auto& n : desired_.networks)
            if (n.name == name) return n;
        throw std::logic_error("plan names unknown network " + name);
    }

    // The host directories an lxc domain mounts must exist before it starts.
    static void make_host_dirs(const virt::DomainSpec& spec) {
        for (const auto& dir : spec.host_dirs) util::make_dirs(dir.source, 0700);
    }

    void require_image(const NodeDesired& n) const {
        std::vector<fs::path> needed;
        if (n.volume && !n.image_source.empty()) {
            // On a remote host the disk, kernel and initrd are sent there from the local image.
            needed = {n.image_source / "disk.qcow2", n.image_source / "vmlinuz",
                      n.image_source / "initrd.img"};
        } else if (n.overlay) {
            // On a remote host the rootfs is sent there from the local image.
            needed.push_back(n.image_source.empty() ? n.overlay->lower : n.image_source / "rootfs");
        } else if (n.node->uses_cloud_image()) {
            // The user's own disk image: nothing to build, only to find.
            if (!fs::exists(n.volume->backing))
                throw InfraError("image file " + n.volume->backing.string() + " is missing",
                                 n.node->name, "image");
            return;
        } else {
            needed = {n.domain.kernel, n.domain.initrd, n.volume->backing};
        }
        for (const auto& path : needed)
            if (!fs::exists(path))
                throw InfraError("image `" + n.node->image + "` is missing " + path.string() +
                                     " (run `labctl image build " + n.node->image + "`)",
                                 n.node->name, "image");
    }

    void prepare(const Action& action) {
        switch (action.kind) {
            case K::define_network: {
                // libvirt names a network's bridge (the first free virbrN) at define time
                // without excluding a define running at the same moment: two labs brought up
                // at once (`class up`) got the same virbrN, and the second failed to start
                // with "error creating bridge interface virbr2: File exists". Networks are
                // defined and started one at a time in this process.
                std::lock_guard network_lock(network_mutex());
                if (conn_.network(action.object)) {  // an interrupted run defined it already
                    say("network " + action.object + "  exists");
                    return;
                }
                conn_.define_network(virt::network_xml(network(action.object)), "network");
                say("network " + action.object + "  defined");
                return;
            }
            case K::start_network: {
                auto net = conn_.network(action.object);
                if (!net) throw InfraError("network " + action.object + " vanished", {}, "network");
                if (virt::Connection::is_active(net.get())) return;
                std::lock_guard network_lock(network_mutex());
                start_network_clearing_leftovers(conn_, net.get(), desired_.lab, "network",
                                                 [this](const std::string& what) { say(what); });
                say("network " + action.object + "  started");
                return;
            }
            case K::define_pool: {
                if (!desired_.remote_disks) util::make_dirs(desired_.pool->path, 0700);
                if (owned_pool(conn_, action.object, desired_.pool->path.string())) return;
                conn_.define_pool(virt::pool_xml(*desired_.pool), "pool");
                say("pool " + action.object + "  defined (" + desired_.pool->path.string() + ")");
                return;
            }
            case K::start_pool: {
                if (!desired_.remote_disks) util::make_dirs(desired_.pool->path, 0700);
                auto pool = owned_pool(conn_, action.object, desired_.pool->path.string());
                if (!pool)
                    throw InfraError("storage pool " + action.object + " vanished", {}, "pool");
                if (virt::Connection::is_active(pool.get())) return;
                // A host that shares no disk with labctl: libvirt makes the directory there.
                if (desired_.remote_disks) conn_.build_pool(pool.get(), "pool");
                conn_.start_pool(pool.get(), "pool");
                say("pool " + action.object + "  started");
                return;
            }
            case K::create_volume: {
                const auto& n = node(action.node);
                auto pool = owned_pool(conn_, desired_.pool->name, desired_.pool->path.string());
                if (!pool)
                    throw InfraError("storage pool " + desired_.pool->name + " is missing",
                                     action.node, "clone");
                if (conn_.volume(pool.get(), n.volume->name)) return;
                require_image(n);
                virt::VolumeSpec spec = *n.volume;
                if (!n.image_source.empty()) send_image(n);
                // The base image's format and size, read from labctl's copy when the backing
                // store is the one sent to a remote host.
                auto backing = backing_image(
                    n.image_source.empty() ? spec.backing : n.image_source / "disk.qcow2");
                spec.capacity_bytes = backing.virtual_size;
                spec.backing_format = backing.format;
                conn_.create_volume(pool.get(), virt::volume_xml(spec), action.node);
                say("disk " + action.node + "  cloned (linked to " + spec.backing.string() + ", " +
                    backing.format + ")");
                return;
            }
            case K::mount_overlay: {
                const auto& n = node(action.node);
                if (desired_.host) {
                    // A node whose services need host directories (a swarm node's
                    // /var/lib/docker) would need them made on that host too: not yet.
                    if (!n.domain.host_dirs.empty())
                        throw InfraError("a node whose services need host directories (" +
                                             n.domain.host_dirs.front().target +
                                             ") cannot run on another host yet",
                                         action.node, "mount overlay");
                    if (desired_.host->is_mounted(n.overlay->merged)) return;
                    require_image(n);
                    if (!n.image_source.empty()) send_image(n);
                    desired_.host->mount_overlay(*n.overlay, action.node);
                    say("overlay " + action.node + "  mounted on host " + desired_.host->host() +
                        " (" + n.overlay->merged.string() + ")");
                    return;
                }
                make_host_dirs(n.domain);
                if (is_mount_point(n.overlay->merged)) return;
                require_image(n);
                mount_overlay(*n.overlay, action.node);
                say("overlay " + action.node + "  mounted (" + n.overlay->merged.string() + ")");
                return;
            }
            case K::write_seed: {
                const auto& n = node(action.node);
                if (n.seed.kind != SeedTarget::Kind::directory)
                    util::make_dirs(n.seed.path.parent_path(), 0700);
                NodeIdentity identity{desired_.lab, action.node, action.node, desired_.state_dir};
                options_.seeds->write(lab_, *n.node, identity, n.seed);
                // On a remote host the seed was written here: now into the node's root (lxc),
                // or as a volume into the lab's pool there (qemu/kvm).
                if (desired_.host && desired_.host->remote() && n.overlay)
                    desired_.host->put_tree(n.seed.path, n.overlay->merged.string(), "seed");
                if (!n.seed_volume.empty()) {
                    auto pool =
                        owned_pool(conn_, desired_.pool->name, desired_.pool->path.string());
                    if (!pool)
                        throw InfraError("storage pool " + desired_.pool->name + " is missing",
                                         action.node, "seed");
                    upload_file_volume(conn_, pool.get(), n.seed_volume, n.seed.path, action.node,
                                       "seed", upload());
                }
                say("seed " + action.node + "  written");
                return;
            }
            case K::define_domain: {
                const auto& n = node(action.node);
                if (conn_.domain(n.domain.name)) return;  // checked for our tag when planning
                require_image(n);
                make_host_dirs(n.domain);
                if (!n.domain.console_log.empty()) {
                    auto dir = n.domain.console_log.parent_path();
                    if (!desired_.remote_disks)
                        util::make_dirs(dir, 0700);
                    else if (desired_.host)  // none on test:///, which opens no file
                        desired_.host->check({"mkdir", "-p", "-m", "0700", "--", dir.string()},
                                             "define");
                }
                conn_.define_domain(virt::domain_xml(n.domain), action.node);
                say("domain " + n.domain.name + "  defined (" + virt::to_string(n.domain.kind) +
                    ")");
                return;
            }
            case K::start_domain:
            case K::wait_ssh:
                break;
        }
    }

    void start(const Action& action) {
        auto domain = conn_.domain(action.object);
        if (!domain)
            throw InfraError("domain " + action.object + " is not defined", action.node, "start");
        if (virt::Connection::state_of(domain.get()) == virt::DomainState::running) return;
        // Before labctl-lxc-init, libvirt's LXC driver failed to start one of several
        // containers started together on our cgroup v1 hosts (3 of about 30 9-node `up`s:
        // "Failure in libvirt_lxc startup: Unable to write to
        // '/sys/fs/cgroup/blkio/machine/lxc-PID-NAME.libvirt-lxc/tasks'", another container's
        // systemd having removed the new cgroup); the same start then succeeded. The wrapper
        // removes that cause (not seen in 36 runs since), but an LXC start is still tried
        // again, with backoff, while the domain stays shut off: it costs nothing when a start
        // succeeds. A QEMU start failure is a real one and is reported at once.
        constexpr int lxc_attempts = 3;
        util::retry_until(
            util::no_deadline, {std::chrono::milliseconds(250), std::chrono::milliseconds(1000)},
            [&](int attempt) -> std::optional<std::string> {
                try {
                    conn_.start_domain(domain.get(), action.node);
                    return std::nullopt;
                } catch (const InfraError& error) {
                    if (desired_.kind != virt::DomainKind::lxc || attempt == lxc_attempts ||
                        virt::Connection::state_of(domain.get()) == virt::DomainState::running)
                        throw;
                    say("domain " + action.object + "  start failed (" + error.what() +
                        "), trying again (" + std::to_string(attempt + 1) + "/" +
                        std::to_string(lxc_attempts) + ")");
                    return error.what();
                }
            });
        say("domain " + action.object + "  started");
    }

    void wait(const Action& action) {
        const auto& n = node(action.node);
        if (n.address.empty())
            throw InfraError("node has no network to reach it by", action.node, "ssh");
        auto timeout = options_.boot_timeout.count() > 0 ? options_.boot_timeout
                                                         : default_boot_timeout(desired_.kind);
        WaitTarget target{
            action.node, n.address, 22, n.domain.console_log, virt::to_string(desired_.kind), {}};
        if (desired_.kind == virt::DomainKind::lxc)  // no serial console log: ask systemd inside
            target.journal_command = "virsh -c " + util::shell_quote(conn_.uri()) +
                                     " lxc-enter-namespace " + n.domain.name +
                                     " --noseclabel -- /bin/journalctl -b";
        options_.waiter->wait(target, timeout);
        say("node " + action.node + "  ssh up (" + n.address + ")");
    }

    VolumeUpload upload() const {
        return options_.upload ? options_.upload : default_volume_upload();
    }

    // Brings N's base image to this host unless it is cached there: the LXC rootfs over the
    // host's SSH, a VM's disk, kernel and initrd as libvirt volumes. One transfer per host at
    // a time (HostTransferLock), whichever node needs it first; said once per image and run.
    void send_image(const NodeDesired& n) {
        HostTransferLock lock(conn_.uri());
        bool sent = n.overlay ? ensure_remote_rootfs(*desired_.host, n.image_source, n.node->name)
                              : ensure_cached_image(conn_, n.image_source, n.node->name, upload());
        std::string where = n.overlay ? n.overlay->lower.string()
                                      : std::string("pool ") + image_pool_name + ", " +
                                            cached_image(n.image_source).identity;
        const std::string& host = desired_.host_name;
        if (sent)
            say("image " + n.node->image + "  sent to host " + host + " (" + where + ")");
        else if (images_said_.insert(n.image_source.string()).second)
            say("image " + n.node->image + "  cached on host " + host + ", reused (" + where + ")");
    }

    // Runs FN on each action with at most JOBS threads (util::parallel_for).
    template <class Fn>
    void in_parallel(const std::vector<std::pair<size_t, const Action*>>& actions, size_t jobs,
                     Fn fn) {
        util::parallel_for(actions.size(), jobs, [&](size_t k) {
            before(actions[k].first, *actions[k].second);
            fn(*actions[k].second);
        });
    }

    std::set<std::string> images_said_;  // images reported "cached, reused" in this run
    virt::Connection& conn_;
    const topo::Lab& lab_;
    const Desired& desired_;
    const ApplyOptions& options_;
    util::Reporter& report_;
};

}  // namespace

void apply_plan(virt::Connection& connection, const topo::Lab& lab, const Desired& desired,
                const std::vector<Action>& plan, const ApplyOptions& options,
                util::Reporter& report) {
    Applier(connection, lab, desired, options, report).run(plan);
}

}  // namespace labctl::engine
