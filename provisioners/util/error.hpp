// Errors that cross the command boundary. Each carries the exit code SPEC.md assigns to
// its class, plus the node and step it happened in, so the CLI can say where it failed.
#pragma once

#include <stdexcept>
#include <string>

namespace labctl {

enum class ExitCode : int {
    ok = 0,
    verify_failed = 1,
    invalid_input = 2,
    infrastructure = 3,
    locked = 4,
    interrupted = 130,
};

class LabError : public std::runtime_error {
  public:
    LabError(ExitCode code, std::string message, std::string node = {}, std::string step = {})
        : std::runtime_error(std::move(message)),
          code_(code),
          node_(std::move(node)),
          step_(std::move(step)) {}

    ExitCode code() const { return code_; }
    const std::string& node() const { return node_; }
    const std::string& step() const { return step_; }

  private:
    ExitCode code_;
    std::string node_;
    std::string step_;
};

// Bad topology file or bad arguments: exit 2.
class InputError : public LabError {
  public:
    explicit InputError(std::string message)
        : LabError(ExitCode::invalid_input, std::move(message)) {}
};

// Validation errors already formatted as `FILE:LINE:COL: error: ...` lines: printed as they are.
class DiagnosticsError : public InputError {
  public:
    explicit DiagnosticsError(std::string lines) : InputError(std::move(lines)) {}
};

// libvirt, SSH, image, filesystem: exit 3.
class InfraError : public LabError {
  public:
    explicit InfraError(std::string message, std::string node = {}, std::string step = {})
        : LabError(ExitCode::infrastructure, std::move(message), std::move(node), std::move(step)) {
    }
};

// Another labctl holds the lab's lock: exit 4 at once, naming the holder.
class LockedError : public LabError {
  public:
    explicit LockedError(std::string message) : LabError(ExitCode::locked, std::move(message)) {}
};

// labctl was interrupted (SIGINT, or SIGTERM/SIGHUP/SIGQUIT) while it ran a program, or the
// program itself was stopped by SIGINT: exit 130. Not an error of the lab: main prints it as
// it is, without "error:".
class InterruptedError : public LabError {
  public:
    explicit InterruptedError(std::string message)
        : LabError(ExitCode::interrupted, std::move(message)) {}
};

class NotImplemented : public LabError {
  public:
    explicit NotImplemented(const std::string& what)
        : LabError(ExitCode::infrastructure, what + ": not implemented yet") {}
};

}  // namespace labctl
