// A private ActiveMQ (Debian's activemq package) with only a STOMP connector on 127.0.0.1:
// its own base/conf/data directories, not persistent, JMX off. Runs the broker's JVM directly
// (what /usr/bin/activemq does after reading /etc/activemq), so nothing of the system instance
// is read or touched.
#pragma once

#include <fstream>

#include "stomp_broker.hpp"

namespace labctl::testing {

class ActiveMq : public StompBroker {
  public:
    explicit ActiveMq(const fs::path& dir) : StompBroker(dir / "activemq", credentials()) {
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
    void start() {
        std::string d = dir_.string();
        start_server(
            {"/usr/bin/java", "-Xms64m", "-Xmx256m", "-Djava.awt.headless=true",
             "-Djava.io.tmpdir=" + d + "/tmp", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
             "-Dactivemq.classpath=" + d + "/conf", "-Dactivemq.home=/usr/share/activemq",
             "-Dactivemq.base=" + d, "-Dactivemq.conf=" + d + "/conf",
             "-Dactivemq.data=" + d + "/data", "-jar", "/usr/share/activemq/bin/activemq.jar",
             "start", "xbean:file:" + d + "/conf/activemq.xml"},
            {});
    }
    void stop() { stop_server(); }

    // No authentication plugin configured: CONNECT without login, as in the seed lab.
    static probe::StompCredentials credentials() { return {}; }
};

}  // namespace labctl::testing
