// A private nginx (-p prefix, -c config, daemon off) on 127.0.0.1 in front of loopback
// backends, answering with X-Upstream so tests count the split per backend.
#pragma once

#include <fstream>

#include "support.hpp"

namespace labctl::testing {

class Nginx {
  public:
    // HTTP_BLOCK(port) returns what goes inside http { }: upstreams and a server listening on
    // 127.0.0.1:port.
    Nginx(const fs::path& dir, const std::function<std::string(std::uint16_t)>& http_block)
        : dir_(dir / "nginx"), port_(free_port()) {
        util::make_dirs(dir_ / "logs");
        std::ofstream conf(dir_ / "nginx.conf");
        conf << "worker_processes 1;\n"
             << "pid " << (dir_ / "nginx.pid").string() << ";\n"
             << "error_log " << (dir_ / "logs/error.log").string() << " info;\n"
             << "events { worker_connections 256; }\n"
             << "http {\n"
             << "  access_log " << (dir_ / "logs/access.log").string() << ";\n"
             << "  client_body_temp_path " << (dir_ / "client_body").string() << ";\n"
             << "  proxy_temp_path " << (dir_ / "proxy").string() << ";\n"
             << "  fastcgi_temp_path " << (dir_ / "fastcgi").string() << ";\n"
             << "  uwsgi_temp_path " << (dir_ / "uwsgi").string() << ";\n"
             << "  scgi_temp_path " << (dir_ / "scgi").string() << ";\n"
             << http_block(port_) << "\n}\n";
        conf.close();
        child_ = std::make_unique<Child>(
            std::vector<std::string>{"/usr/sbin/nginx", "-p", dir_.string(), "-c",
                                     (dir_ / "nginx.conf").string(), "-g", "daemon off;"},
            std::map<std::string, std::string>{}, dir_ / "stderr.log");
        ready_ = eventually(
            [&] {
                return child_->running() && probe::tcp_port_open("127.0.0.1", port_, 200ms).open;
            },
            10s);
    }
    bool ready() const { return ready_; }
    std::uint16_t port() const { return port_; }
    std::string log() const {
        std::error_code ec;
        std::string out = util::read_file(dir_ / "stderr.log");
        if (fs::exists(dir_ / "logs/error.log", ec))
            out += util::read_file(dir_ / "logs/error.log");
        return out;
    }

  private:
    fs::path dir_;
    std::uint16_t port_;
    std::unique_ptr<Child> child_;
    bool ready_ = false;
};

}  // namespace labctl::testing
