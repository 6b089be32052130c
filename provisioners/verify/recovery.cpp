#include "verify/recovery.hpp"

#include "services/registry.hpp"
#include "util/retry.hpp"

namespace labctl::verify {

RecoveryWatch::RecoveryWatch(const topo::Lab& lab, const topo::Node& lost,
                             remote::SessionPool& pool)
    : pool_(pool) {
    for (const auto& service : lab.services)
        if (auto probe = services::kind_of(service).recovery_probe(lab, service, lost))
            watched_.push_back({service.name, std::move(probe), {service.name, false, 0, ""}});
}

RecoveryWatch::~RecoveryWatch() {
    if (thread_.joinable()) thread_.join();
}

void RecoveryWatch::start(std::chrono::seconds limit) {
    if (watched_.empty()) return;
    auto began = std::chrono::steady_clock::now();
    thread_ = std::thread([this, began, limit] {
        util::retry_until(
            began + limit, {std::chrono::milliseconds(250), std::chrono::milliseconds(1000)},
            [&](int) -> std::optional<std::string> {
                bool all = true;
                for (auto& watched : watched_) {
                    if (watched.result.ok) continue;
                    std::string missing;
                    try {
                        missing = watched.probe(pool_);
                    } catch (const std::exception& error) {
                        missing = error.what();  // the manager is busy: asked again
                    }
                    if (missing.empty()) {
                        watched.result.ok = true;
                        watched.result.seconds =
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - began)
                                .count();
                        watched.result.detail = "";
                    } else {
                        watched.result.detail = missing;
                        all = false;
                    }
                }
                if (all) return std::nullopt;
                return std::string("not recovered");
            });
        for (auto& watched : watched_)
            if (!watched.result.ok)
                watched.result.seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    });
}

std::vector<Recovery> RecoveryWatch::finish() {
    if (thread_.joinable()) thread_.join();
    std::vector<Recovery> results;
    for (const auto& watched : watched_) results.push_back(watched.result);
    return results;
}

}  // namespace labctl::verify
