// An output stream for a run inside another (one student's `up` inside `class up`): each
// complete line it is given goes to the outer Reporter after a prefix, so runs on several
// threads share one output without interleaving, and each line says whose it is.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

#include "util/reporter.hpp"

namespace labctl::util {

class LineForwarder : public std::streambuf {
  public:
    LineForwarder(Reporter& outer, std::string prefix)
        : outer_(outer), prefix_(std::move(prefix)) {}
    ~LineForwarder() override;

  protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* data, std::streamsize count) override;

  private:
    void put(char c);

    Reporter& outer_;
    std::string prefix_;
    std::string line_;
};

// The stream to hand the inner run.
class ForwardingStream : public std::ostream {
  public:
    ForwardingStream(Reporter& outer, std::string prefix)
        : std::ostream(nullptr), buffer_(outer, std::move(prefix)) {
        rdbuf(&buffer_);
    }

  private:
    LineForwarder buffer_;
};

}  // namespace labctl::util
