import ArgumentParser
import Foundation
import KefuServer
import Logging

/// Options shared by every subcommand that touches data.
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help:
            "Database URL: postgres://user:pass@host:5432/db, sqlite:PATH (default: <data-dir>/kefu.sqlite). Env: KEFU_DATABASE_URL."
    )
    var databaseURL: String?

    @Option(
        name: .customLong("data-dir"),
        help: "Directory for the SQLite file, the secret key and attachments (default ./kefu-data). Env: KEFU_DATA_DIR.")
    var dataDirectory: String?

    @Option(name: .customLong("config"), help: "JSON configuration file. Env: KEFU_CONFIG.")
    var configFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical. Env: KEFU_LOG_LEVEL.")
    var logLevel: String?

    /// Flags the user gave, by configuration key; flags beat environment beats file beats defaults.
    var cliValues: [String: String] {
        var values: [String: String] = [:]
        values[AppConfig.Key.databaseURL] = databaseURL
        values[AppConfig.Key.dataDirectory] = dataDirectory
        values[AppConfig.Key.logLevel] = logLevel
        return values
    }

    func load(extra: [String: String] = [:]) throws -> AppConfig {
        do {
            return try AppConfig.load(
                cli: cliValues.merging(extra) { _, new in new }, environment: ProcessInfo.processInfo.environment,
                configFile: configFile)
        } catch let error as ConfigError {
            throw ValidationError(error.description)
        }
    }
}

/// Logging to standard error, once per process.
enum CLILogging {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "kefu")
        logger.logLevel = level
        return logger
    }
}

/// Prints a start-up failure plainly and exits non-zero.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("kefu: error: \(message)\n".utf8))
    return ExitCode(1)
}

/// Writes one line to standard output at once (unbuffered), so scripts reading a log see it immediately.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
