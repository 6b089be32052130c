// What each command needs, filled by the CLI (cli/) and read by the core. The core never
// sees CLI11: a command is an options struct plus a function, as in Bear.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace labctl::commands {

struct GlobalOptions {
    std::string file = "lab.toml";
    std::string connect;  // libvirt URI override
    std::string driver;   // auto | kvm | qemu | lxc override
    std::string student;  // class mode: act on this student's copy of the lab ("" the lab)
    int verbosity = 0;    // -v raises, -q lowers
    bool color = true;
};

struct ValidateOptions {
    bool json = false;
};

struct RenderOptions {
    std::vector<std::string> services;
    std::string out_dir;        // empty: print to stdout
    std::string templates_dir;  // empty: built-in templates (or $LABCTL_TEMPLATES)
};

struct GraphOptions {
    std::string format = "dot";
    std::string out_file;  // empty: stdout
};

}  // namespace labctl::commands

namespace labctl::commands {

struct UpOptions {
    std::vector<std::string> only;
    int jobs = 0;  // 0: one per node, capped by the host's cores
    bool no_verify = false;
    bool dry_run = false;
};

struct DownOptions {
    bool keep_disks = false;
    // Down by tag alone, without the lab file. Unset: the lab of -f; set, even to '', it must
    // be a lab name (an empty --lab is a mistake, not a way to say "use -f").
    std::optional<std::string> lab;
};

struct StatusOptions {
    bool json = false;
};

struct KillOptions {
    std::string target;  // NODE or NODE/SERVICE
    std::string mode = "process";
    int requests = 600;
    double rate = 100;  // requests per second
    bool json = false;
};

struct VerifyOptions {
    bool json = false;
    int load = 0;  // 0: no load test
    int concurrency = 10;
    int jobs = 0;  // checks run at once; 0: a group's built-in checks all at once, 8 declared
};

struct CheckOptions {
    bool json = false;
    int jobs = 0;  // checks run at once; 0: 8
};

struct SshOptions {
    std::string node;
    std::vector<std::string> command;
};

struct ImageOptions {
    std::string action;  // build | list | rm | seed | box
    std::string name = "debian-12-lab";
    bool force = false;
    bool json = false;  // list
    // seed: render one node's seed (for tests and debugging; labctl up does this itself).
    std::string node;
    std::string host_key;        // private key file; its public key is FILE.pub
    std::string authorized_key;  // the lab's public key file
    std::string out_dir;         // the seed tree
    std::string disk;            // optional: also make the seed disk here
    std::string root;            // optional: also install the tree into this root (lxc upper dir)
    // box: package the image as a vagrant-libvirt box.
    std::string output;  // the .box file (default ./labctl-NAME.box)
    std::string box_user = "vagrant";
    std::string box_driver = "kvm";
};

struct ExportOptions {
    std::string format = "vagrant";
    std::string out_dir = "vagrant-export";
    // The Vagrant box every machine uses: a public Debian 12 box, or one made by
    // `labctl image box` (then nothing needs downloading).
    std::string box = "debian/bookworm64";
};

// Class mode (SPEC.md section 5): one copy of the lab per student.
struct ClassUpOptions {
    int students = 0;    // s01..sNN; 0: --roster, else [class] students
    std::string roster;  // a CSV file with an `id` column
    int jobs = 0;        // copies built at once; 0: 4
};

struct ClassCheckOptions {
    bool json = false;
    std::string out_file;  // the gradebook as CSV; empty: none
    int jobs = 0;          // copies checked at once; 0: 4
};

struct ClassResetOptions {
    std::string student;
};

struct ClassDownOptions {
    int jobs = 0;  // copies removed at once; 0: 4
};

struct CompletionOptions {
    std::string shell;
};

}  // namespace labctl::commands
