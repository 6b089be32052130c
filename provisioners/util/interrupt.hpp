// One way for labctl to stop on SIGINT, SIGTERM, SIGHUP or SIGQUIT: the handler only counts
// the signal and writes a byte to a self-pipe (both async-signal-safe); the work stops at the
// next step boundary (interrupt_point), a wait wakes at once (sleep_or_interrupt), unwinds by
// InterruptedError with every RAII guard running (temporary files, mounts, locks), and main
// prints one line naming the command and the step, then exits 130.
//
// main installs the handlers for the whole run (install_interrupt_handlers). Code used without
// main (the unit tests) still gets them around a child program: run_process holds an
// InterruptScope. A signal that was ignored when labctl started (nohup, a background job)
// stays ignored.
#pragma once

#include <chrono>
#include <string>

namespace labctl::util {

// For the whole process, from main, naming the COMMAND ("up", "image build"). Idempotent.
// A watchdog thread makes sure a signal ends labctl even inside a call that has no step
// boundary (a libvirt or SSH call that hangs): GRACE after the first signal it prints the
// interrupt line and exits 130. A second signal exits at once.
void install_interrupt_handlers(const std::string& command,
                                std::chrono::milliseconds grace = std::chrono::seconds(20));

// The one line labctl prints when interrupted: WHAT ("interrupted by SIGINT"), the command,
// the step, and how to go on.
std::string interrupted_line(const std::string& what);

// Catches the signals for its lifetime unless install_interrupt_handlers() did already; the
// last scope to end puts back what was there before. Scopes may overlap (threads).
class InterruptScope {
  public:
    InterruptScope();
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;
};

// How many interrupting signals came so far, and the last one (0 before any).
unsigned interrupt_count();
int last_interrupt_signal();
const char* signal_name(int signal);

// The step labctl is in, for the message main prints ("provision chat on server1"). Shared by
// every thread: the last step begun anywhere.
void set_current_step(const std::string& step);
std::string current_step();

// A step boundary: throws InterruptedError when a signal came, else records STEP as begun.
// Signals count here only once install_interrupt_handlers() ran (labctl itself, not tests).
void interrupt_point(const std::string& step);
// Throws InterruptedError when a signal came (same condition).
void throw_if_interrupted();

// Waits DELAY, or less when a signal comes (then throws InterruptedError): the only way a
// retry loop should wait, so Ctrl-C never waits out a backoff.
void sleep_or_interrupt(std::chrono::milliseconds delay);

}  // namespace labctl::util
