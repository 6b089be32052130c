// NFS: a server exporting one directory to its clients (NFSv4, Debian's nfs-kernel-server),
// each client mounting it through a systemd mount unit, so it is mounted at boot too.
#include "services/common.hpp"
#include "services/nfs/nfs_checks.hpp"
#include "services/nfs/nfs_role.hpp"
#include "services/nfs/nfs_settings.hpp"
#include "services/registry.hpp"

namespace labctl::services {

std::string nfs_mount_unit(const std::string& path) {
    // Paths are validated below: '/'-separated components of [A-Za-z0-9_.-], none starting
    // with '.', so only '-' needs systemd's \x escape.
    std::string name;
    for (std::size_t i = 1; i < path.size(); ++i) {
        char c = path[i];
        if (c == '/')
            name += '-';
        else if (c == '-')
            name += "\\x2d";
        else
            name += c;
    }
    return name + ".mount";
}

namespace {

using namespace topo;

// An absolute path that is safe in exports(5), a unit file and a command line: components of
// letters, digits, `_`, `.`, `-`, none empty or starting with `.`, and not `/` itself.
bool is_share_path(const std::string& path) {
    if (path.size() < 2 || path.front() != '/' || path.back() == '/' || path.size() > 200)
        return false;
    bool component_start = true;
    for (std::size_t i = 1; i < path.size(); ++i) {
        char c = path[i];
        if (c == '/') {
            if (component_start) return false;  // "//"
            component_start = true;
            continue;
        }
        if (component_start && c == '.') return false;
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
            return false;
        component_start = false;
    }
    return true;
}

void read_path(TomlReader& reader, const char* key, Located<std::string>& into) {
    auto value = reader.string(key);
    if (!value) return;
    if (!is_share_path(*value)) {
        reader.diagnostics().error(reader.value_pos(key),
                                   "`" + std::string(key) + "` must be an absolute path of " +
                                       "letters, digits, `_`, `.`, `-` (not `/`), not `" + *value +
                                       "`");
        return;
    }
    into = {*value, reader.value_pos(key)};
}

class NfsKind final : public ServiceKind {
  public:
    std::string_view name() const override { return "nfs"; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service& service) const override {
        auto settings = std::make_shared<NfsSettings>();
        auto& diagnostics = reader.diagnostics();
        if (auto server = reader.string("server"))
            settings->server = {*server, reader.value_pos("server")};
        else if (!reader.table().contains("server"))
            diagnostics.error(reader.pos(), "missing key `server` in " + reader.what() +
                                                " (the node that exports the share)");
        if (auto clients = reader.string_list("clients")) settings->clients = *clients;
        if (settings->clients.empty() && !reader.table().contains("clients"))
            diagnostics.error(reader.pos(), "missing key `clients` in " + reader.what() +
                                                " (the nodes that mount the share)");
        read_path(reader, "export", settings->export_path);
        read_path(reader, "mount", settings->mount_path);
        if (!service.on.empty())
            diagnostics.error(service.on.front().pos,
                              "an nfs service is placed by `server` and `clients`, not `on`");
        std::vector<Located<std::string>> nodes;
        if (!settings->server.value.empty()) nodes.push_back(settings->server);
        for (const auto& client : settings->clients) {
            bool duplicate = false;
            for (const auto& seen : nodes) duplicate |= seen.value == client.value;
            if (duplicate)
                diagnostics.error(client.pos, "node `" + client.value +
                                                  "` appears twice among server and clients");
            else
                nodes.push_back(client);
        }
        service.on = nodes;
        return settings;
    }

    int main_port(const Service&) const override { return kNfsPort; }
    bool placed_by_on() const override { return false; }  // server + clients place it

    std::vector<PortUse> ports(const Lab&, const Service& service,
                               const Node& node) const override {
        const auto& settings = nfs_settings(service);
        if (node.name != settings.server.value) return {};
        return {{kNfsPort, "nfs `" + service.name + "` server", settings.server.pos}};
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = nfs_settings(service);
        const Node* server = lab.node(settings.server.value);
        if (!server) return;  // unknown nodes are reported with `on`
        for (const auto& client : settings.clients) {
            const Node* node = lab.node(client.value);
            if (node && !lab.address_between(*node, *server))
                diagnostics.error(client.pos, "client `" + client.value +
                                                  "` shares no network with server `" +
                                                  server->name + "`");
        }
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = nfs_settings(service);
        const Node* server = lab.node(settings.server.value);
        std::vector<render::GeneratedFile> files;
        if (!server) return files;
        auto data = header_data(lab, service, *server);
        data.set("export", settings.export_path.value);
        auto clients = render::list_data();
        for (const auto& client : settings.clients) {
            const Node* node = lab.node(client.value);
            auto address = node ? lab.address_between(*server, *node) : std::nullopt;
            if (!address) continue;
            auto item = render::object_data();
            item.set("address", address->str());
            clients.push_back(item);
        }
        data.set("clients", clients);
        files.push_back({server->name, "/etc/exports.d/labctl-" + service.name + ".exports",
                         templates.render("nfs/exports.mustache", data), 0644, service.name});
        for (const auto& client : settings.clients) {
            const Node* node = lab.node(client.value);
            auto address = node ? lab.address_between(*node, *server) : std::nullopt;
            if (!address) continue;
            auto item = header_data(lab, service, *node);
            item.set("server", server->name);
            item.set("server_address", address->str());
            item.set("export", settings.export_path.value);
            item.set("mount", settings.mount_path.value);
            files.push_back(
                {node->name, "/etc/systemd/system/" + nfs_mount_unit(settings.mount_path.value),
                 templates.render("nfs/share.mount.mustache", item), 0644, service.name});
        }
        return files;
    }

    std::string graph_role(const Service& service, const Node& node) const override {
        return nfs_settings(service).server.value == node.name ? "server" : "client";
    }
    std::vector<GraphEdge> graph_edges(const Lab&, const Service& service) const override {
        const auto& settings = nfs_settings(service);
        std::vector<GraphEdge> edges;
        for (const auto& client : settings.clients)
            edges.push_back({client.value, settings.server.value,
                             service.name + " " + settings.mount_path.value +
                                 " -> :" + settings.export_path.value});
        return edges;
    }

    bool provision_first(const Service& service, const Node& node) const override {
        return nfs_settings(service).server.value == node.name;
    }
    VagrantPart vagrant_part(const Lab&, const Service& service, const Node&,
                             render::Data item) const override {
        const auto& settings = nfs_settings(service);
        item.set("export", settings.export_path.value);
        item.set("mount", settings.mount_path.value);
        item.set("mount_unit", nfs_mount_unit(settings.mount_path.value));
        return {"nfs/vagrant.sh.mustache", item};
    }

    std::vector<CheckResult> checks(CheckContext& context, const Service& service) const override {
        return nfs_shared_file_checks(context, service);
    }

    // The server's port; a client serves nothing (its mount is what the shared-file check
    // proves).
    Health probe_health(const std::filesystem::path& state_dir,
                        const Instance& instance) const override {
        if (nfs_settings(*instance.service).server.value == instance.node->name)
            return ServiceKind::probe_health(state_dir, instance);
        return {true, "client (its mount is checked by the shared-file check)"};
    }

    // The kernel's NFS server and client tools. NFSv4 needs no rpcbind, which nfs-common
    // pulls in: it stays off, like the server until a lab asks for it.
    ImageNeeds image_needs() const override {
        return {{"nfs-kernel-server", "nfs-common"},
                {"nfs-server.service", "rpcbind.service", "rpcbind.socket"}};
    }

    std::unique_ptr<Role> make_role() const override { return make_nfs_role(); }
};

}  // namespace

std::unique_ptr<ServiceKind> make_nfs_kind() {
    return std::make_unique<NfsKind>();
}

}  // namespace labctl::services
