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
            try await AdminSession.run(data) { dependencies, password in
                let address = Validate.normalizedEmail(email)
                do {
                    let ended = try await dependencies.admin.resetPassword(email: address, password: password)
                    print("New password set for \(address); \(ended) sessions and bearer tokens ended.")
                } catch DomainError.notFound {
                    throw fail("no user has the e-mail \(address) (kefu admin create makes one)")
                }
            }
        }
    }
}
