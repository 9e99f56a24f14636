import ArgumentParser

/// The `kefu` command: one binary for the server, its maintenance and the bot tools.
@main
struct Kefu: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "kefu",
        abstract: "Kefu 客服: self-hosted customer service — live chat, bot, tickets.",
        version: version,
        subcommands: [Serve.self, Migrate.self, Admin.self, BotCommand.self, BenchCommand.self, Version.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("kefu \(Kefu.version)")
    }
}
