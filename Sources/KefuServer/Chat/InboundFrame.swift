import Foundation
import KefuCore

/// A frame from a client (docs/CHAT-PROTOCOL.md): one case per type, with exactly the fields that type reads. Read by
/// `InboundFrame.parse`: text that is not a JSON object with a string `type` is `bad_frame`; an unknown type is
/// `unknown_type`; a field of the wrong kind (an `id` that is a number, a `seq` that is text) is `validation_failed`
/// naming it. Fields a type does not read are ignored, so newer clients can add some.
enum InboundFrame: Sendable, Equatable {
    case hello(Hello)
    case ping(id: String?)
    case subscribe(id: String?, conversation: String?, lastSeq: Int64?)
    case unsubscribe(id: String?, conversation: String?)
    case send(Send)
    case typing(id: String?, conversation: String?, typing: Bool?)
    case read(id: String?, conversation: String?, seq: Int64?)
    case handoff(id: String?, conversation: String?)
    case presence(id: String?, status: String?)
    case leaveMessage(LeaveMessage)

    struct Hello: Sendable, Equatable {
        var id: String?
        var v: Int?
        var widgetKey: String?
        var visitorToken: String?
        var locale: String?
    }

    struct Send: Sendable, Equatable {
        var id: String?
        var conversation: String?
        var text: String?
        var isPrivate: Bool?
    }

    struct LeaveMessage: Sendable, Equatable {
        var id: String?
        var conversation: String?
        var text: String?
        var name: String?
        var email: String?
        var phone: String?
    }

    /// Every type and the fields it reads, as the document lists them (`type` and `id` are on every frame).
    static let fields: [String: [String]] = [
        "hello": ["v", "widget_key", "visitor_token", "locale"],
        "ping": [],
        "subscribe": ["conversation", "last_seq"],
        "unsubscribe": ["conversation"],
        "send": ["conversation", "text", "private"],
        "typing": ["conversation", "typing"],
        "read": ["conversation", "seq"],
        "handoff": ["conversation"],
        "presence": ["status"],
        "leave_message": ["conversation", "text", "name", "email", "phone"],
    ]

    static var types: [String] { fields.keys.sorted() }

    var type: String {
        switch self {
        case .hello: "hello"
        case .ping: "ping"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .send: "send"
        case .typing: "typing"
        case .read: "read"
        case .handoff: "handoff"
        case .presence: "presence"
        case .leaveMessage: "leave_message"
        }
    }

    var id: String? {
        switch self {
        case .hello(let hello): hello.id
        case .send(let send): send.id
        case .leaveMessage(let left): left.id
        case .ping(let id), .subscribe(let id, _, _), .unsubscribe(let id, _), .typing(let id, _, _), .read(let id, _, _),
            .handoff(let id, _), .presence(let id, _):
            id
        }
    }

    /// Why a frame cannot be used, with the frame's id when it had a readable one.
    enum Refusal: Error, Equatable {
        case badFrame
        case unknownType(id: String?)
        case invalid(ValidationErrors, id: String?)
    }

    static func parse(_ text: String) throws(Refusal) -> InboundFrame {
        guard case .object(let object)? = JSONValue.parse(Data(text.utf8)), case .string(let type)? = object["type"] else {
            throw .badFrame
        }
        var reader = FieldReader(object: object)
        let id = reader.string("id")
        let frame: InboundFrame
        switch type {
        case "hello":
            frame = .hello(
                Hello(
                    id: id, v: reader.int("v").map(Int.init), widgetKey: reader.string("widget_key"),
                    visitorToken: reader.string("visitor_token"), locale: reader.string("locale")))
        case "ping": frame = .ping(id: id)
        case "subscribe":
            frame = .subscribe(id: id, conversation: reader.string("conversation"), lastSeq: reader.int("last_seq"))
        case "unsubscribe": frame = .unsubscribe(id: id, conversation: reader.string("conversation"))
        case "send":
            frame = .send(
                Send(
                    id: id, conversation: reader.string("conversation"), text: reader.string("text"),
                    isPrivate: reader.bool("private")))
        case "typing": frame = .typing(id: id, conversation: reader.string("conversation"), typing: reader.bool("typing"))
        case "read": frame = .read(id: id, conversation: reader.string("conversation"), seq: reader.int("seq"))
        case "handoff": frame = .handoff(id: id, conversation: reader.string("conversation"))
        case "presence": frame = .presence(id: id, status: reader.string("status"))
        case "leave_message":
            frame = .leaveMessage(
                LeaveMessage(
                    id: id, conversation: reader.string("conversation"), text: reader.string("text"),
                    name: reader.string("name"), email: reader.string("email"), phone: reader.string("phone")))
        default:
            throw .unknownType(id: id)
        }
        guard reader.errors.isEmpty else { throw .invalid(reader.errors, id: id) }
        return frame
    }

    /// Reads optional fields of one kind each, noting every field present with another kind (null counts as absent).
    private struct FieldReader {
        let object: [String: JSONValue]
        var errors = ValidationErrors()

        mutating func string(_ key: String) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default:
                errors.add(key, .wrongType("string"))
                return nil
            }
        }

        mutating func int(_ key: String) -> Int64? {
            switch object[key] {
            case nil, .null?: return nil
            case .number(let number)? where number.rounded() == number && abs(number) < 9e15: return Int64(number)
            default:
                errors.add(key, .wrongType("integer"))
                return nil
            }
        }

        mutating func bool(_ key: String) -> Bool? {
            switch object[key] {
            case nil, .null?: return nil
            case .bool(let value)?: return value
            default:
                errors.add(key, .wrongType("boolean"))
                return nil
            }
        }
    }
}
