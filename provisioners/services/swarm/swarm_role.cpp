#include "services/swarm/swarm_role.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "services/file_install.hpp"
#include "services/role_support.hpp"
#include "services/swarm/docker_state.hpp"
#include "services/swarm/swarm_settings.hpp"
#include "store/secrets.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

class SwarmRole final : public Role {
  public:
    std::string_view name() const override { return "swarm"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& settings = swarm_settings(target.service);
        bool leader = settings.leader() == target.node.name;
        auto address = swarm_address(target.lab, target.service, target.node);
        if (!address)
            throw InfraError("no swarm address (validation should have refused the lab)",
                             target.node.name, "swarm");
        auto registry = swarm_registry(target.lab, target.service);

        ConfigChange change;
        change.files = config_files(target.files);
        change.validators = {argv_validator("python3 -m json.tool", path_is(kDaemonJson),
                                            {"python3", "-m", "json.tool", "{staged}"})};
        std::vector<std::string> units{"docker.service"};
        if (leader) units.push_back("docker-registry.service");
        change.control = systemd_control(session, units, [&] {
            wait_until(target.node.name, "probe docker", 90s, [&]() -> std::string {
                auto info = session.run({"docker", "info", "--format", "{{.ServerVersion}}"},
                                        sudo_step("probe", 30s));
                if (info.exit_code != 0) return "docker info: " + util::trim(info.err);
                if (!leader) return "";
                auto v2 = session.run({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                                       "http://" + registry + "/v2/"},
                                      sudo_step("probe", 30s));
                return util::trim(v2.out) == "200" ? ""
                                                   : "registry " + registry + " answers " +
                                                         util::trim(v2.out + " " + v2.err);
            });
        });
        apply_config(target, change, report);

        StepTimer step(report, "swarm");
        bool changed = leader ? init(target, address->str()) : join(target, address->str());
        step.done(changed ? Outcome::changed : Outcome::ok,
                  leader
                      ? "leader at " + address->str()
                      : std::string(settings.is_manager(target.node.name) ? "manager" : "worker") +
                            " at " + address->str());
        return report;
    }

  private:
    static void leave(remote::Session& session) {
        session.check({"docker", "swarm", "leave", "--force"}, sudo_step("swarm"));
    }

    // The leader: a swarm of its own (initialised once), whose join tokens go to the lab's
    // state for the other nodes' roles.
    static bool init(const RoleTarget& target, const std::string& address) {
        auto& session = target.session;
        auto state = swarm_state(session, "swarm");
        bool changed = false;
        if (state.local_state != "active" || !state.control) {
            if (state.local_state != "inactive") leave(session);
            // Its output names the worker token: kept out of every log and error.
            auto init = session.run({"docker", "swarm", "init", "--advertise-addr", address},
                                    sudo_step("swarm"));
            if (init.exit_code != 0)
                throw InfraError("docker swarm init: " + util::trim(init.err), target.node.name,
                                 "swarm");
            changed = true;
        }
        for (bool manager : {false, true}) {
            auto token =
                session.run({"docker", "swarm", "join-token", "-q", manager ? "manager" : "worker"},
                            sudo_step("swarm"));
            if (token.exit_code != 0 || util::trim(token.out).empty())
                throw InfraError("docker swarm join-token: " + util::trim(token.err),
                                 target.node.name, "swarm");
            store::write_secret(target.state_dir, swarm_token_secret(target.service, manager),
                                token.out);
        }
        return changed;
    }

    // Everyone else: joins the leader's swarm, as a manager or a worker, unless it is in it
    // already. The token is read from the lab's state, where the leader's role (run in the
    // same tier, usually at the same time) puts it; a stale one from an earlier swarm is
    // refused and read again.
    static bool join(const RoleTarget& target, const std::string& address) {
        auto& session = target.session;
        const auto& settings = swarm_settings(target.service);
        bool manager = settings.is_manager(target.node.name);
        const topo::Node* leader = target.lab.node(settings.leader());
        auto leader_address =
            leader ? swarm_address(target.lab, target.service, *leader) : std::nullopt;
        if (!leader_address)
            throw InfraError("no address of the leader", target.node.name, "swarm");
        std::string remote = leader_address->str() + ":" + std::to_string(kSwarmManagementPort);

        auto joined = [&](const SwarmState& state) {
            const auto& managers = state.remote_managers;
            return state.local_state == "active" && state.control == manager &&
                   std::find(managers.begin(), managers.end(), remote) != managers.end();
        };
        auto state = swarm_state(session, "swarm");
        if (joined(state)) return false;
        if (state.local_state != "inactive") leave(session);

        wait_until(target.node.name, "swarm join", 180s, [&]() -> std::string {
            auto token =
                store::read_secret(target.state_dir, swarm_token_secret(target.service, manager));
            if (!token) return "no join token from " + settings.leader() + " yet";
            nlohmann::json body{{"ListenAddr", "0.0.0.0:" + std::to_string(kSwarmManagementPort)},
                                {"AdvertiseAddr", address},
                                {"RemoteAddrs", nlohmann::json::array({remote})},
                                {"JoinToken", *token}};
            auto options = sudo_step("swarm", 90s);
            options.input = body.dump();
            auto result = session.run({"curl", "-sS", "--unix-socket", "/var/run/docker.sock", "-H",
                                       "Content-Type: application/json", "--data-binary", "@-",
                                       "-w", "\n%{http_code}", "http://localhost/swarm/join"},
                                      options);
            auto lines = util::split(util::trim(result.out), '\n');
            if (result.exit_code == 0 && !lines.empty() && lines.back() == "200") return "";
            auto now = swarm_state(session, "swarm");
            if (joined(now)) return "";
            if (now.local_state != "inactive") leave(session);
            return "join " + remote + ": " + util::trim(result.out + " " + result.err);
        });
        return true;
    }
};

}  // namespace

std::unique_ptr<Role> make_swarm_role() {
    return std::make_unique<SwarmRole>();
}

}  // namespace labctl::services
