/// Where an outgoing call may go. Business actions and webhooks call the business's systems on the public internet;
/// loopback, private, link-local (cloud metadata at 169.254.169.254 among them), shared, reserved and multicast
/// addresses are refused unless an admin allow-lists the host.
public enum NetworkAddress {
    public enum Kind: String, Sendable, Equatable {
        case `public`, loopback, `private`, linkLocal = "link_local", unspecified, multicast, reserved
    }

    /// Classifies a raw address: 4 bytes (IPv4) or 16 (IPv6). IPv4-mapped and NAT64 IPv6 addresses are judged by the
    /// IPv4 address they carry.
    public static func classify(_ bytes: [UInt8]) -> Kind {
        if bytes.count == 4 { return classify4(bytes) }
        guard bytes.count == 16 else { return .reserved }
        let prefix = Array(bytes[0..<12])
        if prefix == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] || prefix == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] {
            return classify4(Array(bytes[12..<16]))
        }
        if bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return .loopback }
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return .reserved }  // IPv4-compatible, deprecated
        if bytes[0] & 0xfe == 0xfc { return .private }  // fc00::/7 unique local
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return .linkLocal }  // fe80::/10
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0xc0 { return .private }  // fec0::/10 site-local
        if bytes[0] == 0xff { return .multicast }
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8 { return .reserved }  // docs
        return .public
    }

    private static func classify4(_ b: [UInt8]) -> Kind {
        switch (b[0], b[1]) {
        case (0, _): return .unspecified
        case (127, _): return .loopback
        case (10, _), (172, 16...31), (192, 168): return .private
        case (100, 64...127): return .private  // carrier-grade NAT
        case (169, 254): return .linkLocal
        case (192, 0) where b[2] == 0 || b[2] == 2: return .reserved
        case (198, 18...19): return .reserved  // benchmarking
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: return .reserved  // documentation
        case (224...239, _): return .multicast
        case (240...255, _): return .reserved
        default: return .public
        }
    }

    /// Parses a dotted IPv4 address in its one strict spelling ("192.168.0.1": four decimal parts 0–255, no leading
    /// zeros, no sign); nil for anything else, including the octal, hex, integer and short forms other parsers accept.
    public static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            let digits = Array(part.utf8)
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                digits.count == 1 || digits[0] != 0x30, let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// Whether some parser could read `host` as an IPv4 address although `ipv4` does not: its last label (a trailing
    /// dot aside) is a number, decimal, octal or hex (`012.0.0.1`, `0x7f.1`, `2130706433`, `127.1`, `1.2.3.4.`), as
    /// `inet_aton` and the URL standard read it. Such a host is refused, never looked up.
    public static func looksLikeIPv4(_ host: String) -> Bool {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        guard let last = labels.last.map({ Array($0.utf8) }), !last.isEmpty else { return false }
        let isHex = last.count >= 2 && last[0] == 0x30 && (last[1] | 0x20) == 0x78
        let digits = isHex ? Array(last.dropFirst(2)) : last
        return digits.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || (isHex && ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) }
    }

    /// The canonical text of four IPv4 bytes.
    public static func text(ipv4 bytes: [UInt8]) -> String { bytes.map(String.init).joined(separator: ".") }
}
