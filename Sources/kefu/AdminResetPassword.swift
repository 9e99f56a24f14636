import ArgumentParser
import Foundation
import KefuCore
import KefuServer

extension Admin {
    /// `kefu admin reset-password`: the documented way to give an existing user a new password.
    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set a new password for an existing user and sign them out everywhere.",
            discussion:
                "The password is read from standard input, or asked for without echo on a terminal; never pass it as an argument."
        )

        @OptionGroup var data: DataOptions

        @Option(help: "The user's e-mail address.")
        var email: String

        func run() async throws {
            let config = try data.load()
            let logger = CLILogging.bootstrap(level: config.logLevel)
            guard let password = PasswordInput.read(), !password.isEmpty else {
                throw fail("no password given on standard input")
            }
            if let issue = Validate.passwordIssue(password) { throw fail("the password \(issue.english)") }
            let dependencies: AppDependencies
            do {
                dependencies = try await AppDependencies.prepare(config, logger: logger)
            } catch {
                throw fail(String(describing: error))
            }
            do {
                let ended = try await dependencies.admin.resetPassword(email: email, password: password)
                print("New password set for \(Validate.normalizedEmail(email)); \(ended) sessions and bearer tokens ended.")
                await dependencies.store.shutdown()
            } catch DomainError.notFound {
                await dependencies.store.shutdown()
                throw fail("no user has the e-mail \(Validate.normalizedEmail(email)) (kefu admin create makes one)")
            } catch {
                await dependencies.store.shutdown()
                throw fail(String(describing: error))
            }
        }
    }
}
