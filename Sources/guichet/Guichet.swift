import ArgumentParser

/// The `guichet` command: the daemon of a France Services structure and its admin tools.
@main
struct Guichet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guichet",
        abstract: "Runs a France Services structure: its agenda, its self-service station, its visio.",
        discussion: """
            Start the daemon on the demo structure with `guichet serve`, then open
            http://127.0.0.1:8080/. The configuration file is described in config/README.md.
            """,
        subcommands: [Serve.self, AgentCommand.self, Purge.self, Backup.self, Restore.self, ReportCommand.self, MigrateToPostgres.self, CheckConfig.self, StationCommand.self, RoomCLI.self, Doctor.self, Bench.self],
        defaultSubcommand: nil)
}
