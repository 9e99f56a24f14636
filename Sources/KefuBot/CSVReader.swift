import Foundation

/// Reads `text,label` CSV (RFC 4180 quoting, header required). Errors name the line.
public enum LabeledCSV {
    public static func parse(_ content: String) throws -> [LabeledExample] {
        let rows = try CSVRows.parse(content)
        guard let header = rows.first else {
            throw BotError.malformedCSV(line: 1, reason: "empty file, expected a header text,label")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let textColumn = names.firstIndex(of: "text"), let labelColumn = names.firstIndex(of: "label") else {
            throw BotError.malformedCSV(line: header.line, reason: "missing column: the header must name 'text' and 'label'")
        }
        var examples: [LabeledExample] = []
        for row in rows.dropFirst() {
            if row.fields.count == 1 && row.fields[0].isEmpty { continue }  // blank line
            guard row.fields.count > max(textColumn, labelColumn) else {
                throw BotError.malformedCSV(line: row.line, reason: "expected \(names.count) columns, found \(row.fields.count)")
            }
            let label = row.fields[labelColumn].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else { throw BotError.malformedCSV(line: row.line, reason: "empty label") }
            examples.append(LabeledExample(text: row.fields[textColumn], label: label))
        }
        return examples
    }

    public static func read(path: String) throws -> [LabeledExample] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BotError.malformedCSV(line: 0, reason: "cannot read \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self))
    }
}

/// The rows of a CSV file with the line each starts on.
enum CSVRows {
    struct Row {
        var fields: [String]
        var line: Int
    }

    static func parse(_ content: String) throws -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var rowStart = 1
        var quoteStart = 1
        var iterator = content.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func nextScalar() -> Unicode.Scalar? {
            if let p = pending {
                pending = nil
                return p
            }
            return iterator.next()
        }
        while let c = nextScalar() {
            if inQuotes {
                if c == "\"" {
                    if let n = nextScalar() {
                        if n == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = n
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                inQuotes = true
                quoteStart = line
            case ",":
                fields.append(field)
                field = ""
            case "\r":
                continue
            case "\n":
                fields.append(field)
                rows.append(Row(fields: fields, line: rowStart))
                fields = []
                field = ""
                line += 1
                rowStart = line
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw BotError.malformedCSV(line: quoteStart, reason: "unterminated quote") }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append(Row(fields: fields, line: rowStart))
        }
        return rows
    }
}

/// A CSV file with a header, read into named columns; errors name the line (RFC 4180 quoting, blank lines skipped).
public enum CSVTable {
    public struct Record: Sendable {
        public var line: Int
        public var values: [String: String]

        public subscript(_ column: String) -> String { values[column] ?? "" }
    }

    public static func parse(_ content: String, required: [String]) throws -> [Record] {
        let rows = try CSVRows.parse(content)
        guard let header = rows.first else {
            throw BotError.malformedCSV(line: 1, reason: "empty file, expected a header " + required.joined(separator: ","))
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for column in required where !names.contains(column) {
            throw BotError.malformedCSV(line: header.line, reason: "missing column '\(column)' in the header")
        }
        return try rows.dropFirst().compactMap { row in
            if row.fields.count == 1 && row.fields[0].isEmpty { return nil }
            guard row.fields.count == names.count else {
                throw BotError.malformedCSV(line: row.line, reason: "expected \(names.count) columns, found \(row.fields.count)")
            }
            return Record(line: row.line, values: Dictionary(zip(names, row.fields), uniquingKeysWith: { a, _ in a }))
        }
    }

    /// One CSV line, quoting fields that need it.
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\n"
    }
}
