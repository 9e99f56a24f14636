import Foundation
import KefuCore
import NIOCore
import NIOPosix
import PropertyBased
import Testing

@testable import KefuServer

#if canImport(Glibc)
    import Glibc
#endif

/// The outbound check and the connection read a host the same way: what is classified is what is connected to.
@Suite struct OutboundGuardTests {
    static let guardian = OutboundGuard(allowlist: [], lookups: .singleton)

    /// How the C library (getaddrinfo's `inet_aton`) reads a numeric host, or nil.
    static func cLibraryReading(_ host: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_aton(host, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// The spellings of four bytes that some parser reads as an address.
    static func spellings(_ b: [UInt8]) -> [String] {
        let value = b.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return [
            b.map(String.init).joined(separator: "."),
            b.map { String(format: "%03d", $0) }.joined(separator: "."),
            b.map { "0" + String($0, radix: 8) }.joined(separator: "."),
            b.map { "0x" + String($0, radix: 16) }.joined(separator: "."),
            String(value), "0x" + String(value, radix: 16), "0" + String(value, radix: 8),
            "\(b[0]).\(UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3]))",
            "\(b[0]).\(b[1]).\(UInt32(b[2]) << 8 | UInt32(b[3]))",
            b.map(String.init).joined(separator: ".") + ".",
            "::ffff:" + b.map(String.init).joined(separator: "."),
        ]
    }

    @Test func everySpellingIsEitherRefusedOrConnectedToAsClassified() async throws {
        let addresses = Gen<UInt8>.uint8(in: 0...255).array(of: 4...4)
        await propertyCheck(count: 300, input: addresses) { bytes in
            for host in Self.spellings(bytes) {
                guard let resolved = try? await Self.guardian.resolve(host), let first = resolved.first else { continue }
                // Accepted: the connect text reads back to the classified bytes, as NIO reads it and as the C
                // library would read the host itself.
                #expect(OutboundGuard.readsBack(first), "\(host) → \(first.text)")
                let classified = first.bytes.count == 16 ? Array(first.bytes[12...]) : first.bytes
                #expect(classified == bytes, "\(host)")
                if let c = Self.cLibraryReading(host) { #expect(c == classified, "\(host) is \(c) to the C library") }
            }
        }
    }

    @Test func onlyTheStrictSpellingIsAcceptedAndItsTextIsCanonical() async throws {
        #expect(try await Self.guardian.resolve("1.1.1.1").map(\.text) == ["1.1.1.1"])
        #expect(try await Self.guardian.resolve("2606:4700:4700:0:0:0:0:1111").map(\.text) == ["[2606:4700:4700::1111]"])
        for refused in [
            "012.255.255.1", "172.032.0.1", "0x7f.0.0.1", "2130706433", "127.1", "10.0.0.1.", "1.1.1.1.", "0177.0.0.1",
            "fe80::1%eth0", "1.2.3.4%20", "",
        ] {
            #expect(try await Self.guardian.resolve(refused).isEmpty, "\(refused)")
        }
        let guardian = Self.guardian
        for url in ["http://012.255.255.1/", "http://172.032.0.1/x", "https://0x7f.1/", "http://[::ffff:10.0.0.1]/"] {
            await #expect(throws: ValidationErrors.self, "\(url)") { _ = try await guardian.check(url) }
        }
        let checked = try await guardian.check("http://8.8.8.8/x")
        #expect(checked.address == "8.8.8.8")
    }
}
