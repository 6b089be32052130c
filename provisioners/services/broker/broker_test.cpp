// The broker types on their own (activemq, rabbitmq): rendered configs and their escaping.
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "render/template_set.hpp"
#include "test_support.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

TEST(Broker, BrokersGetTheirStompConnector) {
    auto activemq = labfile::render_lab(test::example_lab("activemq-failover"),
                                        render::TemplateSet{}, {{"broker"}});
    const auto& xml =
        test::find_file(activemq, "server1", "/etc/activemq/instances-available/main/activemq.xml")
            .content;
    EXPECT_NE(xml.find("uri=\"stomp://0.0.0.0:61613"), std::string::npos);
    auto rabbit = labfile::render_lab(test::example_lab("rabbitmq-failover"), render::TemplateSet{},
                                      {{"rabbitmq"}});
    EXPECT_NE(test::find_file(rabbit, "server1", "/etc/rabbitmq/rabbitmq.conf")
                  .content.find("stomp.listeners.tcp.1 = 0.0.0.0:61613"),
              std::string::npos);
    EXPECT_EQ(test::find_file(rabbit, "server1", "/etc/rabbitmq/enabled_plugins").content,
              "[rabbitmq_stomp].\n");
}

TEST(Broker, XmlTemplatesEscapeValues) {
    test::TempDir dir;
    util::make_dirs(dir.path() / "activemq");
    util::write_file_atomic(dir.path() / "activemq/activemq.xml.mustache",
                            "<b name=\"{{service}}\">{{lab}}</b>\n");
    render::TemplateSet templates(dir.path());
    auto data = render::object_data();
    data.set("service", "a\"<&>'");
    data.set("lab", "x&y");
    EXPECT_EQ(templates.render("activemq/activemq.xml.mustache", data, render::Escape::xml),
              "<b name=\"a&quot;&lt;&amp;&gt;&apos;\">x&amp;y</b>\n");
}

}  // namespace
}  // namespace labctl
