import Foundation
import KefuBot
import KefuCore

/// An industry starter kit read from `Resources/scenarios/<id>/` (data files, not code): intents with training
/// phrases in both languages, FAQ, articles, categories and flows. Installing one copies it into a workspace, where
/// everything stays editable.
struct ScenarioTemplate: Sendable {
    struct Names: Codable, Sendable {
        var en: String
        var zh: String

        enum CodingKeys: String, CodingKey {
            case en
            case zh = "zh-CN"
        }

        func text(_ locale: ContentLocale) -> String { locale == .zhCN ? zh : en }
    }

    struct Manifest: Codable, Sendable {
        struct Intent: Codable, Sendable {
            var label: String
            var name: Names
            var description: Names?
            var flow: String?
        }

        struct Category: Codable, Sendable {
            var key: String
            var name: Names
        }

        /// A business action the template's flows call, pointing at a documented example endpoint (docs/ACTIONS.md):
        /// installed switched off until an admin points it at the business's own system.
        struct Action: Codable, Sendable {
            var name: String
            var method: BusinessAction.Method
            var url: String
            var inputs: [BusinessAction.Input]
            var mapping: [String: String]
            var reply: [String: String]
        }

        var id: String
        var name: Names
        var description: Names
        var outOfScopeLabel: String?
        var intents: [Intent]
        var categories: [Category]
        var actions: [Action]?

        enum CodingKeys: String, CodingKey {
            case id, name, description
            case outOfScopeLabel = "out_of_scope_label"
            case intents, categories, actions
        }
    }

    struct Phrase: Sendable {
        var text: String
        var label: String
        var locale: ContentLocale
    }

    struct FAQ: Sendable {
        var locale: ContentLocale
        var intent: String?
        var questions: [String]
        var answer: String
    }

    struct Article: Codable, Sendable {
        struct Translation: Codable, Sendable {
            var title: String
            var body: String
        }

        var key: String
        var category: String
        var translations: [String: Translation]
    }

    var manifest: Manifest
    var phrases: [Phrase]
    var faqs: [FAQ]
    var articles: [Article]
    /// Flow id → its JSON definition.
    var flows: [String: String]

    var id: String { manifest.id }

    /// Reads and checks one template folder; a broken template stops the server from starting, naming the file.
    static func load(from folder: URL) throws -> ScenarioTemplate {
        func read(_ name: String) throws -> Data {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
                throw TemplateError.invalid(folder.lastPathComponent, name, "missing")
            }
            return data
        }
        let id = folder.lastPathComponent
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: try read("template.json"))
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError.invalid(id, "template.json", "\(error)")
        }
        let labels = Set(manifest.intents.map(\.label) + [manifest.outOfScopeLabel].compactMap { $0 })
        var phrases: [Phrase] = []
        do {
            for record in try CSVTable.parse(
                String(decoding: try read("phrases.csv"), as: UTF8.self), required: ["text", "label", "locale"])
            {
                guard let locale = ContentLocale(rawValue: record["locale"]), labels.contains(record["label"]) else {
                    throw TemplateError.invalid(id, "phrases.csv", "line \(record.line): unknown label or locale")
                }
                phrases.append(Phrase(text: record["text"], label: record["label"], locale: locale))
            }
        } catch let error as BotError {
            throw TemplateError.invalid(id, "phrases.csv", "\(error)")
        }
        var faqs: [FAQ] = []
        do {
            let records = try CSVTable.parse(
                String(decoding: try read("faqs.csv"), as: UTF8.self), required: ["locale", "intent", "questions", "answer"])
            for record in records {
                guard let locale = ContentLocale(rawValue: record["locale"]) else {
                    throw TemplateError.invalid(id, "faqs.csv", "line \(record.line): unknown locale")
                }
                faqs.append(
                    FAQ(
                        locale: locale, intent: record["intent"].isEmpty ? nil : record["intent"],
                        questions: FAQCSV.splitQuestions(record["questions"]), answer: record["answer"]))
            }
        } catch let error as BotError {
            throw TemplateError.invalid(id, "faqs.csv", "\(error)")
        }
        let articles: [Article]
        do {
            articles = try JSONDecoder().decode([Article].self, from: try read("articles.json"))
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError.invalid(id, "articles.json", "\(error)")
        }
        var flows: [String: String] = [:]
        let flowFolder = folder.appendingPathComponent("flows")
        for file in (try? FileManager.default.contentsOfDirectory(atPath: flowFolder.path)) ?? [] where file.hasSuffix(".json") {
            let data = try read("flows/" + file)
            do {
                let flow = try Flow.load(json: data)
                flows[flow.id] = String(decoding: data, as: UTF8.self)
            } catch {
                throw TemplateError.invalid(id, "flows/" + file, "\(error)")
            }
        }
        return ScenarioTemplate(manifest: manifest, phrases: phrases, faqs: faqs, articles: articles, flows: flows)
    }
}

enum TemplateError: Error, CustomStringConvertible {
    case invalid(String, String, String)

    var description: String {
        switch self {
        case .invalid(let template, let file, let reason): "scenario template \(template): \(file): \(reason)"
        }
    }
}

/// The FAQ CSV format shared by templates, import and export: `locale,intent,questions,answer`, questions
/// separated by " | ".
enum FAQCSV {
    static let header = ["locale", "intent", "questions", "answer"]

    static func splitQuestions(_ field: String) -> [String] {
        field.components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Every scenario template shipped with the server, loaded once at start.
struct TemplateCatalog: Sendable {
    let templates: [ScenarioTemplate]

    static func load() throws -> TemplateCatalog {
        let folder = try ResourceFiles.base().appendingPathComponent("scenarios")
        let ids = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        return TemplateCatalog(templates: try ids.map { try ScenarioTemplate.load(from: folder.appendingPathComponent($0)) })
    }

    func template(_ id: String) throws -> ScenarioTemplate {
        guard let template = templates.first(where: { $0.id == id }) else { throw DomainError.notFound(.template) }
        return template
    }
}
