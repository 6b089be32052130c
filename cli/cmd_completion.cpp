// Shell completion, generated from the command tree itself so it never drifts from --help.
// Node and service names come from the lab file through the hidden `__names` command.
#include <iostream>

#include "cli/command_context.hpp"
#include "labfile/loader.hpp"

namespace labctl::cli {

namespace {

struct Verb {
    std::string path;  // "image build"
    std::vector<std::string> flags;
};

void collect(const CLI::App& app, const std::string& prefix, std::vector<Verb>& verbs) {
    for (const auto* sub : app.get_subcommands(
             [](const CLI::App* a) { return !a->get_name().empty() && a->get_name()[0] != '_'; })) {
        Verb verb{prefix.empty() ? sub->get_name() : prefix + " " + sub->get_name(), {}};
        for (const auto* option : sub->get_options())
            for (const auto& name : option->get_lnames()) verb.flags.push_back("--" + name);
        for (const auto* child : sub->get_subcommands({})) verb.flags.push_back(child->get_name());
        verbs.push_back(verb);
        collect(*sub, verb.path, verbs);
    }
}

std::vector<std::string> global_flags(const CLI::App& app) {
    std::vector<std::string> flags;
    for (const auto* option : app.get_options())
        for (const auto& name : option->get_lnames()) flags.push_back("--" + name);
    return flags;
}

std::string words(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& word : list) out += (out.empty() ? "" : " ") + word;
    return out;
}

std::string bash_script(const CLI::App& app) {
    std::vector<Verb> verbs;
    collect(app, "", verbs);
    std::string top;
    for (const auto& verb : verbs)
        if (verb.path.find(' ') == std::string::npos) top += (top.empty() ? "" : " ") + verb.path;
    std::string out = "# bash completion for labctl; load with: source <(labctl completion bash)\n";
    out += "_labctl() {\n    local cur=${COMP_WORDS[COMP_CWORD]} verb=\"\" i file=lab.toml\n";
    out += "    for ((i = 1; i < COMP_CWORD; i++)); do\n";
    out += "        case ${COMP_WORDS[i]} in\n            -f|--file) file=${COMP_WORDS[i+1]} ;;\n";
    out +=
        "            -*) ;;\n            *) [[ ${COMP_WORDS[i-1]} == -f || ${COMP_WORDS[i-1]} == "
        "--file ]] || verb=\"${verb:+$verb }${COMP_WORDS[i]}\" ;;\n";
    out += "        esac\n    done\n";
    out += "    local globals=\"" + words(global_flags(app)) + "\"\n";
    out += "    case $verb in\n";
    out += "        \"\") COMPREPLY=($(compgen -W \"" + top + " $globals\" -- \"$cur\")) ;;\n";
    for (const auto& verb : verbs) {
        std::string names;
        if (verb.path == "ssh" || verb.path == "kill" || verb.path == "revive" ||
            verb.path == "render" || verb.path == "up" || verb.path == "exec" ||
            verb.path == "stop" || verb.path == "start" || verb.path == "restart" ||
            verb.path == "netem")
            names = " $(labctl -f \"$file\" __names 2>/dev/null)";
        out += "        \"" + verb.path + "\"*) COMPREPLY=($(compgen -W \"" + words(verb.flags) +
               " $globals" + names + "\" -- \"$cur\")) ;;\n";
    }
    out += "    esac\n}\ncomplete -F _labctl labctl\n";
    return out;
}

std::string zsh_script(const CLI::App& app) {
    return "# zsh completion for labctl; load with: source <(labctl completion zsh)\n"
           "autoload -U +X bashcompinit && bashcompinit\n" +
           bash_script(app);
}

std::string fish_script(const CLI::App& app) {
    std::vector<Verb> verbs;
    collect(app, "", verbs);
    std::string out = "# fish completion for labctl; load with: labctl completion fish | source\n";
    out += "complete -c labctl -f\n";
    for (const auto& verb : verbs) {
        if (verb.path.find(' ') != std::string::npos) continue;
        out += "complete -c labctl -n __fish_use_subcommand -a " + verb.path + "\n";
        for (const auto& flag : verb.flags)
            if (flag.rfind("--", 0) == 0)
                out += "complete -c labctl -n '__fish_seen_subcommand_from " + verb.path + "' -l " +
                       flag.substr(2) + "\n";
    }
    for (const auto& flag : global_flags(app))
        out += "complete -c labctl -l " + flag.substr(2) + "\n";
    out +=
        "complete -c labctl -n '__fish_seen_subcommand_from ssh kill revive render up exec stop "
        "start restart "
        "netem' -a '(labctl "
        "__names 2>/dev/null)'\n";
    return out;
}

}  // namespace

void add_completion_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::CompletionOptions>();
    auto* cmd = app.add_subcommand("completion", "Print a shell completion script");
    cmd->add_option("shell", options->shell, "bash, zsh or fish")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    cmd->footer("Example:\n  source <(labctl completion bash)");
    cmd->callback([&app, &context, options] {
        context.action = [&app, options] {
            std::cout << (options->shell == "bash"  ? bash_script(app)
                          : options->shell == "zsh" ? zsh_script(app)
                                                    : fish_script(app));
            return 0;
        };
    });

    // Hidden: node and service names of the lab file, for the scripts above.
    auto* names = app.add_subcommand("__names", "");
    names->group("");
    names->callback([&context] {
        context.action = [&context] {
            auto result = labfile::load_lab_file(context.global.file);
            if (!result.lab) return 0;
            for (const auto& node : result.lab->nodes) std::cout << node.name << "\n";
            for (const auto& service : result.lab->services) std::cout << service.name << "\n";
            return 0;
        };
    });
}

}  // namespace labctl::cli
