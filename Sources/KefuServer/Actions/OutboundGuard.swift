import Foundation
import KefuCore
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Decides whether an outgoing call may reach a URL: http(s) only, and every address its host resolves to public —
/// unless the workspace's admins allow-listed the host (`host` or `host:port`). Checked when an action is saved and
/// again on every call and every redirect, on the addresses the call then connects to.
struct OutboundGuard: Sendable {
    let allowlist: [String]
    /// Where name lookups run (`OutboundHTTP.lookups`).
    let lookups: NIOThreadPool

    /// A checked target: where to connect.
    struct Target: Sendable {
        var url: URL
        var host: String
        var port: Int
        var address: String
        var allowListed: Bool
        /// The host as the URL writes it (the HTTP client keys its pinned address by this spelling).
        var written: String
        var scheme: String
    }

    func check(_ text: String) async throws -> Target {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let rawHost = url.host(percentEncoded: false), !rawHost.isEmpty, url.user == nil
        else { throw ValidationErrors("url", .urlNotAllowed) }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let allowListed = allowlist.contains { $0 == host || $0 == "\(host):\(port)" }
        let addresses = try await resolve(host)
        // The connector is handed the canonical text of the very bytes classified here, which every parser reads the
        // same way (no second lookup, no other reading of the spelling).
        guard let first = addresses.first, Self.readsBack(first) else { throw ValidationErrors("url", .urlNotAllowed) }
        // An allow-list opens private and loopback hosts a business runs on purpose; never link-local (cloud
        // metadata), unspecified or multicast addresses.
        let kinds = addresses.map { NetworkAddress.classify($0.bytes) }
        let neverAllowed: [NetworkAddress.Kind] = [.linkLocal, .unspecified, .multicast]
        if kinds.contains(where: { neverAllowed.contains($0) }) || (!allowListed && kinds.contains { $0 != .public }) {
            throw ValidationErrors("url", .urlNotAllowed)
        }
        return Target(
            url: url, host: host, port: port, address: first.text, allowListed: allowListed,
            written: rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), scheme: scheme)
    }

    struct Resolved: Sendable {
        var bytes: [UInt8]
        var text: String
    }

    /// Every address of the host, each with the canonical text of its bytes; an IP literal in its strict spelling
    /// is itself (no lookup); any other spelling a parser could read as an address (`012.0.0.1`, `0x7f.1`,
    /// `2130706433`, a zone id) is refused (no addresses). Names go through getaddrinfo on a pool of their own: on the
    /// process-wide pool a lookup waited behind password hashing and spent the call's time-out.
    func resolve(_ host: String) async throws -> [Resolved] {
        guard !host.isEmpty, !host.contains("%") else { return [] }
        if let v4 = NetworkAddress.ipv4(host) { return [Resolved(bytes: v4, text: NetworkAddress.text(ipv4: v4))] }
        if NetworkAddress.looksLikeIPv4(host) { return [] }
        if host.contains(":") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, host, &v6) == 1 else { return [] }
            return [Resolved(bytes: withUnsafeBytes(of: &v6) { Array($0) }, text: "[" + Self.text(&v6) + "]")]
        }
        return try await Self.withinLookupLimit { [lookups] in try await Self.lookup(host, on: lookups) }
    }

    /// Whether the address's text, read the way the HTTP client reads a host, gives back exactly the classified bytes.
    static func readsBack(_ resolved: Resolved) -> Bool {
        let bare = resolved.text.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard let address = try? SocketAddress(ipAddress: bare, port: 0) else { return false }
        switch address {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            return withUnsafeBytes(of: &raw) { Array($0) } == resolved.bytes
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            return withUnsafeBytes(of: &raw) { Array($0) } == resolved.bytes
        default: return false
        }
    }

    static func text(_ v6: inout in6_addr) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A name that does not resolve within this time counts as not resolving (refused): a hung resolver must not hold
    /// the customer past the action's own time-out.
    static let lookupLimit: Duration = .seconds(3)

    private static func withinLookupLimit(_ body: @escaping @Sendable () async throws -> [Resolved]) async throws
        -> [Resolved]
    {
        try await withThrowingTaskGroup(of: [Resolved]?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: lookupLimit)
                return nil
            }
            defer { group.cancelAll() }
            // The first to finish: the addresses, or nil when the limit came first (the lookup's thread finishes alone).
            return try await group.next().flatMap { $0 } ?? []
        }
    }

    private static func lookup(_ host: String, on lookups: NIOThreadPool) async throws -> [Resolved] {
        try await lookups.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let list else { return [] }
            defer { freeaddrinfo(list) }
            var found: [Resolved] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = list
            while let info = cursor {
                if let address = info.pointee.ai_addr {
                    if info.pointee.ai_family == AF_INET {
                        var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                        let bytes = withUnsafeBytes(of: &v4) { Array($0) }
                        found.append(Resolved(bytes: bytes, text: NetworkAddress.text(ipv4: bytes)))
                    } else if info.pointee.ai_family == AF_INET6 {
                        var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
                        found.append(Resolved(bytes: bytes, text: "[" + Self.text(&v6) + "]"))
                    }
                }
                cursor = info.pointee.ai_next
            }
            return found
        }
    }
}
