// A private ActiveMQ (Debian's activemq package) with only a STOMP connector on 127.0.0.1:
// its own base/conf/data directories, not persistent, JMX off. Runs the broker's JVM directly
// (what /usr/bin/activemq does after reading /etc/activemq), so nothing of the system instance
// is read or touched.
#pragma once

#include <fstream>

#include "support.hpp"

namespace labctl::testing {

class ActiveMq {
  public:
    explicit ActiveMq(const fs::path& dir) : dir_(dir / "activemq"), stomp_port_(free_port()) {
        util::make_dirs(dir_ / "conf");
        util::make_dirs(dir_ / "data");
        util::make_dirs(dir_ / "tmp");
        std::ofstream(dir_ / "conf/activemq.xml")
            << R"(<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" persistent="false"
          brokerName="labctltest" dataDirectory=")"
            << (dir_ / "data").string() << R"(">
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp://127.0.0.1:)"
            << stomp_port_ << R"("/>
    </transportConnectors>
  </broker>
</beans>
)";
        start();
    }
    ~ActiveMq() { stop(); }

    void start() {
        auto started = std::chrono::steady_clock::now();
        std::string d = dir_.string();
        child_ = std::make_unique<Child>(
            std::vector<std::string>{
                "/usr/bin/java", "-Xms64m", "-Xmx256m", "-Djava.awt.headless=true",
                "-Djava.io.tmpdir=" + d + "/tmp", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Dactivemq.classpath=" + d + "/conf", "-Dactivemq.home=/usr/share/activemq",
                "-Dactivemq.base=" + d, "-Dactivemq.conf=" + d + "/conf",
                "-Dactivemq.data=" + d + "/data", "-jar", "/usr/share/activemq/bin/activemq.jar",
                "start", "xbean:file:" + d + "/conf/activemq.xml"},
            std::map<std::string, std::string>{}, dir_ / "server.log");
        ready_ = eventually(
            [&] {
                return child_->running() &&
                       probe::stomp_connect("127.0.0.1", stomp_port_, credentials(), 1s).connected;
            },
            60s);
        start_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
    }
    void stop() {
        if (child_) child_->stop(20s);
        child_.reset();
    }

    bool ready() const { return ready_; }
    std::chrono::milliseconds start_time() const { return start_time_; }
    std::uint16_t stomp_port() const { return stomp_port_; }
    // No authentication plugin configured: CONNECT without login, as in the seed lab.
    static probe::StompCredentials credentials() { return {}; }
    std::string log() const { return util::read_file(dir_ / "server.log"); }

  private:
    fs::path dir_;
    std::uint16_t stomp_port_;
    std::unique_ptr<Child> child_;
    bool ready_ = false;
    std::chrono::milliseconds start_time_{0};
};

}  // namespace labctl::testing
