import ArgumentParser
import Foundation
import KefuCore
import KefuServer

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts from the command line.", subcommands: [Create.self, ResetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user with a role in a workspace (the workspace too, if it does not exist).",
            discussion:
                "The password is read from standard input, or asked for without echo on a terminal; never pass it as an argument."
        )

        @OptionGroup var data: DataOptions

        @Option(help: "The user's e-mail address.")
        var email: String

        @Option(help: "Workspace name (its URL slug is derived from it) or an existing slug.")
        var workspace: String

        @Option(help: "owner, admin, supervisor or agent.")
        var role: Role = .owner

        @Option(help: "Display name (default: the e-mail's local part).")
        var name: String?

        func validate() throws {
            guard Validate.email(Validate.normalizedEmail(email)) else {
                throw ValidationError("--email is not a valid e-mail address")
            }
        }

        func run() async throws {
            try await AdminSession.run(data) { dependencies, password in
                let created = try await dependencies.admin.createAdmin(
                    email: email, password: password, workspaceName: workspace, role: role, displayName: name)
                let place =
                    "workspace '\(created.workspace.name)' (slug \(created.workspace.slug)\(created.createdWorkspace ? ", new" : ""))"
                if created.createdUser {
                    print("Created \(created.user.email) as \(created.role.rawValue) of \(place).")
                } else {
                    print(
                        "\(created.user.email) already existed: made \(created.role.rawValue) of \(place). Their password was NOT changed; use `kefu admin reset-password --email \(created.user.email)` to set a new one."
                    )
                }
            }
        }
    }
}

/// What every admin command that sets a password does around its work: read and check the password, open and
/// migrate the store, run, and close the store whatever happens.
enum AdminSession {
    static func run(
        _ data: DataOptions, _ body: (AppDependencies, String) async throws -> Void
    ) async throws {
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
            try await body(dependencies, password)
            await dependencies.shutdown()
        } catch let exit as ExitCode {
            await dependencies.shutdown()
            throw exit
        } catch {
            await dependencies.shutdown()
            throw fail(String(describing: error))
        }
    }
}

/// Reads a password without echo from a terminal, else one line from standard input.
enum PasswordInput {
    static func read() -> String? {
        if isatty(STDIN_FILENO) != 0, let raw = getpass("Password: ") {
            return String(cString: raw)
        }
        return readLine(strippingNewline: true)
    }
}

extension Role: ExpressibleByArgument {}
