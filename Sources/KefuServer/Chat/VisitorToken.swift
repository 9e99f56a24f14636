import Foundation
import KefuCore

/// The widget's proof of which contact it is: the contact id signed with the server key for one workspace. The
/// widget keeps it in local storage; a token of another workspace, or an altered one, does not verify.
struct VisitorTokens: Sendable {
    let secret: SecretKey

    func issue(workspace: WorkspaceID, contact: ContactID) -> String {
        "kv1." + contact.description.lowercased() + "." + signature(workspace, contact)
    }

    /// The contact the token names, if it was issued for this workspace.
    func verify(_ token: String, workspace: WorkspaceID) -> ContactID? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "kv1", let contact = ContactID(String(parts[1])) else { return nil }
        return Secrets.equal(String(parts[2]), signature(workspace, contact)) ? contact : nil
    }

    private func signature(_ workspace: WorkspaceID, _ contact: ContactID) -> String {
        secret.sign("visitor|" + workspace.description + "|" + contact.description)
    }
}

/// A widget visitor once their token checked out: the workspace and the contact.
struct Visitor: Sendable {
    var workspace: Workspace
    var contactID: ContactID
}
