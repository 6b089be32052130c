// The one way a command prints its progress ("[  1.25s] domain mom-server1  started"): one
// Reporter per run, shared by the run's threads, so lines never interleave, every line carries
// the same stamp (util/stamp.hpp), and -q / -v decide what is shown. A command's result (a
// report, a table, JSON) is not progress: it goes to the output stream as it is.
#pragma once

#include <chrono>
#include <mutex>
#include <ostream>
#include <string>

namespace labctl::util {

class Reporter {
  public:
    // VERBOSITY: GlobalOptions::verbosity (-v raises, -q lowers). START: what stamps count from.
    Reporter(std::ostream& out, int verbosity,
             std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now());
    Reporter(const Reporter&) = delete;
    Reporter& operator=(const Reporter&) = delete;

    // A step begun or done: shown unless -q.
    void step(const std::string& line);
    // What only -v shows (a step that changed nothing, each sub-step's time).
    void detail(const std::string& line);
    // Shown even with -q: the user must act on it.
    void warning(const std::string& line);
    // A line of a run inside this one (a student's copy in class mode), already filtered by
    // that run's own Reporter: shown as it is, after PREFIX.
    void forward(const std::string& prefix, const std::string& line);

    // For code that prints progress to a stream itself (the image build): the output, or a
    // stream that drops everything under -q.
    std::ostream& stream();

    std::chrono::steady_clock::time_point start() const { return start_; }

  private:
    void print(const std::string& line);

    std::ostream& out_;
    int verbosity_;
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
    std::ostream discard_{nullptr};  // no buffer: every write is dropped
};

}  // namespace labctl::util
