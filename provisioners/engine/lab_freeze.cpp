#include "engine/lab_freeze.hpp"

#include <exception>

namespace labctl::engine {

FrozenDomains::FrozenDomains(virt::Connection& connection,
                             std::vector<std::pair<std::string, virDomainPtr>> domains,
                             util::Reporter& report)
    : connection_(connection), report_(report) {
    for (auto& [node, domain] : domains) {
        if (virt::Connection::state_of(domain) != virt::DomainState::running) continue;
        try {
            connection_.suspend_domain(domain, node);
        } catch (...) {
            try {
                resume();
            } catch (const std::exception& error) {
                report_.warning(error.what());
            }
            throw;
        }
        paused_.emplace_back(node, domain);
    }
}

FrozenDomains::~FrozenDomains() {
    try {
        resume();
    } catch (const std::exception& error) {
        report_.warning(std::string(error.what()) + " (resume it with `virsh resume`)");
    }
}

void FrozenDomains::resume() {
    std::exception_ptr first;
    for (auto& [node, domain] : paused_) {
        try {
            connection_.resume_domain(domain, node);
        } catch (...) {
            if (!first) first = std::current_exception();
        }
    }
    paused_.clear();
    if (first) std::rethrow_exception(first);
}

}  // namespace labctl::engine
