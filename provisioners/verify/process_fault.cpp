#include "remote/session.hpp"
#include "verify/fault.hpp"

namespace labctl::verify {

namespace {

class ProcessFault final : public Fault {
  public:
    ProcessFault(const FaultTarget& target, remote::SessionPool& ssh)
        : target_(target), ssh_(ssh) {}

    std::string describe() const override {
        std::string names;
        for (const auto& instance : target_.instances)
            names += (names.empty() ? "" : ", ") + instance.name;
        return "kill -9 " + names + " on " + target_.node->name;
    }

    void inject() override {
        std::vector<std::string> argv{
            "sh", "-c",
            "for unit in \"$@\"; do systemctl kill --signal=SIGKILL \"$unit\" 2>/dev/null || true; "
            "systemctl stop \"$unit\"; done",
            "kill"};
        for (const auto& instance : target_.instances)
            argv.push_back("labctl-" + instance.name + ".service");
        run(argv, "kill process");
    }

    void undo() override {
        std::vector<std::string> argv{"systemctl", "start"};
        for (const auto& instance : target_.instances)
            argv.push_back("labctl-" + instance.name + ".service");
        run(argv, "revive process");
    }

  private:
    void run(const std::vector<std::string>& argv, const std::string& step) {
        remote::RunOptions options;
        options.sudo = true;
        options.step = step;
        ssh_.get(target_.node->name).check(argv, options);
    }

    FaultTarget target_;
    remote::SessionPool& ssh_;
};

}  // namespace

std::unique_ptr<Fault> make_process_fault(const FaultTarget& target, remote::SessionPool& ssh) {
    return std::make_unique<ProcessFault>(target, ssh);
}

}  // namespace labctl::verify
