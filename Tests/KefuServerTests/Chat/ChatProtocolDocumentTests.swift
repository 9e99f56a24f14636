import Foundation
import KefuCore
import Testing

@testable import KefuServer

/// docs/CHAT-PROTOCOL.md is what outside clients are written from: every example in it must be a frame the server
/// reads or writes, with fields the code knows, and every frame type must be documented.
@Suite struct ChatProtocolDocumentTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/CHAT-PROTOCOL.md")

    /// The ```json client / ```json server blocks, parsed.
    static func examples(_ side: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: document, encoding: .utf8)
        var blocks: [[String: Any]] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```json \(side)" {
                current = []
            } else if line == "```", let lines = current {
                let json = lines.joined(separator: "\n")
                guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
                    throw TestFailure("not a JSON object: \(json)")
                }
                blocks.append(object)
                current = nil
            } else if current != nil {
                current?.append(String(line))
            }
        }
        return blocks
    }

    @Test func clientExamplesAreFramesTheServerReadsAndShowEveryField() throws {
        let examples = try Self.examples("client")
        var shown: [String: Set<String>] = [:]
        for example in examples {
            let data = try JSONSerialization.data(withJSONObject: example)
            let frame = try InboundFrame.parse(String(decoding: data, as: UTF8.self))
            let known = Set(["type", "id"] + (InboundFrame.fields[frame.type] ?? []))
            #expect(Set(example.keys).isSubset(of: known), "fields \(frame.type) does not read in \(example)")
            shown[frame.type, default: []].formUnion(example.keys)
        }
        // Every frame type has an example, and together they show every field the server reads.
        #expect(Set(shown.keys) == Set(InboundFrame.types))
        for (type, fields) in InboundFrame.fields {
            #expect(Set(fields).isSubset(of: shown[type] ?? []), "\(type): fields without an example")
        }
    }

    /// Every field of a conversation state and of a message that the server sends is named in the document.
    @Test func everyStateAndMessageFieldIsDocumented() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let fields =
            DTO.ConversationSummary.CodingKeys.allCases.map(\.rawValue) + DTO.Message.CodingKeys.allCases.map(\.rawValue)
        for field in fields {
            #expect(text.contains("`\(field)`") || text.contains("\"\(field)\":"), "\(field) is not documented")
        }
    }

    /// Fields of the wrong kind are named in a `validation_failed` error; unreadable text is `bad_frame`.
    @Test func framesAreReadStrictlyByType() throws {
        #expect(throws: InboundFrame.Refusal.badFrame) { try InboundFrame.parse("not json") }
        #expect(throws: InboundFrame.Refusal.badFrame) { try InboundFrame.parse(#"{"id":"x"}"#) }
        #expect(throws: InboundFrame.Refusal.unknownType(id: "x")) { try InboundFrame.parse(#"{"type":"fly","id":"x"}"#) }
        do {
            _ = try InboundFrame.parse(#"{"type":"send","id":7,"text":"hi","private":"yes"}"#)
            Issue.record("a number id was read")
        } catch .invalid(let errors, let id) {
            #expect(Set(errors.issues.keys) == ["id", "private"])
            #expect(id == nil)
        } catch {
            Issue.record("\(error)")
        }
        #expect(
            try InboundFrame.parse(#"{"type":"read","conversation":"c","seq":3,"extra":true}"#)
                == .read(id: nil, conversation: "c", seq: 3))
        #expect(throws: InboundFrame.Refusal.self) { try InboundFrame.parse(#"{"type":"read","seq":1.5}"#) }
    }

    @Test func serverExamplesUseTheFieldsTheServerWrites() throws {
        let examples = try Self.examples("server")
        let frameKeys = Set(OutboundFrame.CodingKeys.allCases.map(\.rawValue))
        let messageKeys = Set(DTO.Message.CodingKeys.allCases.map(\.rawValue))
        let stateKeys = Set(DTO.ConversationSummary.CodingKeys.allCases.map(\.rawValue))
        for example in examples {
            let type = try #require(example["type"] as? String)
            #expect(OutboundFrame.types.contains(type), "\(type) is not a server frame type")
            #expect(Set(example.keys).isSubset(of: frameKeys), "unknown fields in \(example)")
            if let message = example["message"] as? [String: Any] {
                #expect(Set(message.keys).isSubset(of: messageKeys), "unknown message fields in \(message)")
                #expect(SenderKindCheck.valid(message["sender"]))
                if let file = message["attachment"] as? [String: Any] {
                    let fileKeys = Set(DTO.File.CodingKeys.allCases.map(\.rawValue))
                    #expect(Set(file.keys) == fileKeys, "attachment fields in \(file)")
                }
            }
            if let state = example["state"] as? [String: Any] {
                #expect(Set(state.keys).isSubset(of: stateKeys), "unknown state fields in \(state)")
            }
        }
        let documented = Set(examples.compactMap { $0["type"] as? String })
        #expect(documented == Set(OutboundFrame.types).subtracting(["pong"]))
    }

    @Test func documentedErrorCodesAreTheOnesTheSocketSends() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        for code in ["bad_frame", "unknown_type", "hello_first", "unsupported_version", "rate_limited"] {
            #expect(text.contains("| `\(code)` |"), "\(code) is not documented")
        }
        #expect(APIError.from(KefuCore.DomainError.notFound(.conversation)).code == "not_found")
        #expect(APIError.from(KefuCore.DomainError.unauthenticated).code == "unauthenticated")
    }
}

private enum SenderKindCheck {
    static func valid(_ value: Any?) -> Bool {
        guard let raw = value as? String else { return false }
        return ["customer", "bot", "agent", "system"].contains(raw)
    }
}
