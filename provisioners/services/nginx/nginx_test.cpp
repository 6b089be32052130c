// The nginx type on its own: its rendered balancer config and its spread verdict. Every
// rendered config also passes the real `nginx -t` (nginx_config_test.cpp); its role runs against
// a real nginx over SSH in tests/unit/remote_nginx_role_test.cpp.
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "services/nginx/nginx_spread.hpp"

namespace labctl {
namespace {

TEST(Nginx, NginxBalancerHasFailoverAndObservabilitySettings) {
    auto lab = test::example_lab("activemq-failover");
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"nginx"}});
    ASSERT_EQ(files.size(), 1u);
    const auto& conf = test::find_file(files, "server1", "/etc/nginx/conf.d/balancer.conf").content;
    for (const char* needle :
         {"zone lb_backends 64k;", "least_conn;",
          "server 192.168.56.11:8080 weight=1 max_fails=1 fail_timeout=5s;",
          "server 192.168.56.12:8080 weight=2 max_fails=1 fail_timeout=5s;", "listen 8090;",
          "proxy_connect_timeout 1s;",
          "proxy_next_upstream error timeout http_502 http_503 http_504;",
          "map $http_upgrade $connection_upgrade_lb", "proxy_set_header Upgrade $http_upgrade;",
          "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
          "proxy_set_header X-Real-IP $remote_addr;", "proxy_set_header Host $host;",
          "add_header X-Upstream $upstream_addr always;", "upstream=$upstream_addr"}) {
        EXPECT_NE(conf.find(needle), std::string::npos) << "missing: " << needle << "\n" << conf;
    }
}

TEST(Nginx, WeightedRoundRobinHasNoStrategyDirectiveAndAllWeights) {
    auto files =
        labfile::render_lab(test::example_lab("weighted-mariadb"), render::TemplateSet{}, {{"lb"}});
    const auto& conf = test::find_file(files, "lb", "/etc/nginx/conf.d/balancer.conf").content;
    EXPECT_EQ(conf.find("least_conn"), std::string::npos);
    EXPECT_NE(conf.find("172.30.10.11:5000 weight=3"), std::string::npos);
    EXPECT_NE(conf.find("172.30.10.12:5000 weight=2"), std::string::npos);
    EXPECT_NE(conf.find("172.30.10.14:5000 weight=1"), std::string::npos);
    EXPECT_EQ(conf.find("$http_upgrade"), std::string::npos);  // websocket off
}

TEST(Spread, RoundRobinFollowsWeightsWithinTolerance) {
    std::map<std::string, int> weights{{"a:1", 3}, {"b:1", 2}, {"c:1", 1}, {"d:1", 1}};
    EXPECT_TRUE(services::judge_spread("round_robin", weights,
                                       {{"a:1", 300}, {"b:1", 200}, {"c:1", 100}, {"d:1", 100}})
                    .ok);
    auto even = services::judge_spread("round_robin", weights,
                                       {{"a:1", 175}, {"b:1", 175}, {"c:1", 175}, {"d:1", 175}});
    EXPECT_FALSE(even.ok);
    EXPECT_NE(even.detail.find("a:1 25% (expected 43%)"), std::string::npos) << even.detail;
}

TEST(Spread, LeastConnNeedsEveryBackendIpHashDoesNot) {
    std::map<std::string, int> weights{{"a:1", 1}, {"b:1", 1}};
    EXPECT_FALSE(services::judge_spread("least_conn", weights, {{"a:1", 100}}).ok);
    EXPECT_TRUE(services::judge_spread("least_conn", weights, {{"a:1", 90}, {"b:1", 10}}).ok);
    EXPECT_TRUE(services::judge_spread("ip_hash", weights, {{"a:1", 100}}).ok);
}

TEST(Spread, UnknownBackendsAndSilenceFail) {
    std::map<std::string, int> weights{{"a:1", 1}};
    EXPECT_FALSE(services::judge_spread("round_robin", weights, {}).ok);
    EXPECT_FALSE(services::judge_spread("round_robin", weights, {{"a:1", 5}, {"z:9", 1}}).ok);
}

}  // namespace
}  // namespace labctl
