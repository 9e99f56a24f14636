import Foundation
import KefuCore
import Testing

@Suite struct NameAndPasswordRuleTests {
    @Test func namesAreTrimmedAndMustShowSomething() throws {
        #expect(try Validate.name("  Acme 商店  ", field: "name") == "Acme 商店")
        #expect(try Validate.name("\u{3000}客服\u{3000}", field: "name") == "客服")
        for blank in ["", "   ", "\u{3000}", "\u{FEFF}", "\u{A0}\u{2009}"] {
            #expect(throws: ValidationErrors("name", .text)) { try Validate.name(blank, field: "name") }
        }
    }

    @Test func namesRefuseControlAndBidiOverrideCharacters() {
        for bad in ["a\u{0}b", "a\nb", "tab\there", "x\u{7F}", "x\u{85}", "evil\u{202E}gnp.exe", "a\u{2066}b\u{2069}"] {
            #expect(throws: ValidationErrors("name", .text), "\(bad.debugDescription)") {
                try Validate.name(bad, field: "name")
            }
        }
    }

    @Test func nameLengthCountsScalarsAfterTrimming() throws {
        #expect(try Validate.name(String(repeating: "a", count: 100), field: "n").count == 100)
        #expect(throws: ValidationErrors("n", .length(min: 1, max: 100))) {
            try Validate.name(String(repeating: "名", count: 101), field: "n")
        }
    }

    @Test func passwordsNeedLengthAndMayNotBeBlankOrCommon() {
        #expect(Validate.passwordIssue("short") == .password)
        #expect(Validate.passwordIssue(String(repeating: " ", count: 10)) == .weakPassword)
        #expect(
            Validate.passwordIssue("\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}")
                == .weakPassword)
        #expect(Validate.passwordIssue("Password123") == .weakPassword)
        #expect(Validate.passwordIssue("1234567890") == .weakPassword)
        #expect(Validate.passwordIssue("correct horse battery") == nil)
    }
}

@Suite struct EmailAddressTests {
    @Test(arguments: [
        "a@b.co", "first.last@shop.example", "x+tag@sub.domain.example", "~'zpf`791@n.test", "\"john doe\"@example.com",
        "用户@例子.中国", "0@0.com",
    ])
    func parsesAddresses(_ text: String) { #expect(EmailAddress(text) != nil, "\(text)") }

    @Test(arguments: [
        "", "plain", "a@b", "@b.co", "a@", "a b@c.co", "a@@b.co", "a@.co", "a@b..co", ".a@b.co", "a.@b.co", "a..b@c.co",
        "a@-b.co", "a@b-.co", "a@b.123", "a@[192.0.2.1]", "a(comment)@b.co", "\"unclosed@b.co", "a@b.co\n",
        "a\u{0}b@c.co", String(repeating: "x", count: 65) + "@b.co",
    ])
    func refusesWhatIsNotAnAddress(_ text: String) { #expect(EmailAddress(text) == nil, "\(text.debugDescription)") }
}
