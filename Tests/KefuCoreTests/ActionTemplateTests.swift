import Foundation
import KefuCore
import Testing

@Suite struct ActionTemplateTests {
    @Test func urlValuesArePercentEncoded() {
        let url = ActionTemplate.url(
            "https://shop.example/api/orders/{{order_number}}?q={{ text }}",
            values: ["order_number": "123456", "text": "a b/../c?d=1&订单"])
        #expect(url == "https://shop.example/api/orders/123456?q=a%20b%2F..%2Fc%3Fd%3D1%26%E8%AE%A2%E5%8D%95")
        #expect(ActionTemplate.placeholders("{{a}}/{{ b }}/{{a") == ["a", "b"])
        #expect(ActionTemplate.text("订单 {{n}}：{{missing}}", values: ["n": "1"]) == "订单 1：")
    }

    /// A value is data in every part of the URL: it never makes a dot segment, a new path segment, a query or a
    /// fragment, and never names the host.
    @Test func valuesNeverChangeTheURLsShape() {
        let template = "https://shop.example/kefu/customers/{{id}}/bill?q={{id}}"
        for value in [".", "..", "%2e%2e", "../x?#", "a/b", "..%2F", "."] {
            let url = ActionTemplate.url(template, values: ["id": value])
            let dotted = value == "." || value == ".."
            #expect(ActionTemplate.hasDotSegments(url) == dotted, "\(value) → \(url)")
            #expect(url.hasPrefix("https://shop.example/kefu/customers/"), "\(url)")
            #expect(url.filter { $0 == "/" }.count == 6 && url.filter { $0 == "?" }.count == 1 && !url.contains("#"), "\(url)")
        }
        #expect(ActionTemplate.url(template, values: ["id": "a.b"]) == "https://shop.example/kefu/customers/a.b/bill?q=a.b")
        #expect(ActionTemplate.hasDotSegments(ActionTemplate.url("https://x.example/a.{{v}}/b", values: ["v": "."])) == false)
        #expect(ActionTemplate.hasDotSegments(ActionTemplate.url("https://x.example/.{{v}}/b", values: ["v": "."])))
        #expect(ActionTemplate.hasDotSegments("https://x.example/a/%2E%2e/b"))
        #expect(!ActionTemplate.hasDotSegments("https://x.example/a/b?q=.."))
        #expect(ActionTemplate.placeholdersOnlyAfterAuthority("https://shop.example/orders/{{n}}"))
        #expect(ActionTemplate.placeholdersOnlyAfterAuthority("https://shop.example?q={{n}}"))
        for template in ["https://{{h}}/x", "https://api.{{h}}.example/", "https://shop.example:{{p}}/", "{{u}}"] {
            #expect(!ActionTemplate.placeholdersOnlyAfterAuthority(template), "\(template)")
        }
    }

    @Test func jsonPathsFindScalarsOnly() throws {
        let json = try JSONSerialization.jsonObject(
            with: Data(#"{"order":{"status":"已发货","items":[{"name":"Tea","qty":2}],"paid":true,"total":12.5},"n":null}"#.utf8))
        #expect(ActionTemplate.value(at: "$.order.status", in: json) == "已发货")
        #expect(ActionTemplate.value(at: "order.items[0].name", in: json) == "Tea")
        #expect(ActionTemplate.value(at: "$.order.items[0].qty", in: json) == "2")
        #expect(ActionTemplate.value(at: "$.order.paid", in: json) == "true")
        #expect(ActionTemplate.value(at: "$.order.total", in: json) == "12.5")
        for missing in ["$.order.items[3].name", "$.order.items", "$.order", "$.n", "$.nope.x", "$.order.status[0]"] {
            #expect(ActionTemplate.value(at: missing, in: json) == nil, "\(missing)")
        }
    }

    @Test func privateLoopbackLinkLocalAndReservedAddressesAreNotPublic() {
        let blocked = [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.10",
        ]
        for text in blocked {
            #expect(NetworkAddress.classify(NetworkAddress.ipv4(text) ?? []) != .public, "\(text)")
        }
        for text in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "1.1.1.1"] {
            #expect(NetworkAddress.classify(NetworkAddress.ipv4(text) ?? []) == .public, "\(text)")
        }
        var loopback6 = [UInt8](repeating: 0, count: 16)
        loopback6[15] = 1
        #expect(NetworkAddress.classify(loopback6) == .loopback)
        let mapped = [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 169, 254, 169, 254]
        #expect(NetworkAddress.classify(mapped) == .linkLocal)
        #expect(NetworkAddress.classify([0xfd, 0] + [UInt8](repeating: 0, count: 14)) == .private)
        #expect(NetworkAddress.classify([0xfe, 0x80] + [UInt8](repeating: 0, count: 14)) == .linkLocal)
        #expect(NetworkAddress.classify([0x24, 0x08] + [UInt8](repeating: 1, count: 14)) == .public)
        for bad in [
            "1.2.3", "256.1.1.1", "1.2.3.4.5", "01234.1.1.1", "a.b.c.d", "012.255.255.1", "172.032.0.1", "00.0.0.0",
            "+1.2.3.4", "1.2.3.4.", "0x7f.0.0.1", "1.2.3.-4", "1.2.3. 4", "１.2.3.4",
        ] { #expect(NetworkAddress.ipv4(bad) == nil, "\(bad)") }
        #expect(NetworkAddress.ipv4("0.10.100.255") == [0, 10, 100, 255])
        for numeric in ["0x0a.0.0.1", "0xA.1", "167772161", "10.1", "127.1", "1.1.1.1.", "012.255.255.1", "0x7F"] {
            #expect(NetworkAddress.looksLikeIPv4(numeric), "\(numeric)")
        }
        for name in ["example.com", "example.com.", "1a.example", "shop.example", "x1", "1.2.3.4.nip.io"] {
            #expect(!NetworkAddress.looksLikeIPv4(name), "\(name)")
        }
    }
}
