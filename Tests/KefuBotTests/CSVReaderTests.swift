import KefuBot
import Testing

@Suite struct CSVReaderTests {
    @Test func readsQuotedFieldsWithCommasQuotesAndNewlines() throws {
        let csv = "text,label\n\"hello, \"\"world\"\"\",greet\n\"two\nlines\",multi\nplain,p\n"
        let rows = try LabeledCSV.parse(csv)
        #expect(
            rows == [
                LabeledExample(text: "hello, \"world\"", label: "greet"),
                LabeledExample(text: "two\nlines", label: "multi"),
                LabeledExample(text: "plain", label: "p"),
            ])
    }

    @Test func aMissingColumnNamesTheHeaderLine() {
        #expect(throws: BotError.malformedCSV(line: 1, reason: "missing column: the header must name 'text' and 'label'")) {
            try LabeledCSV.parse("utterance,intent\nhi,greet\n")
        }
    }

    @Test func anEmptyLabelNamesItsLine() {
        #expect(throws: BotError.malformedCSV(line: 3, reason: "empty label")) {
            try LabeledCSV.parse("text,label\nhi,greet\nbye,\n")
        }
    }

    @Test func anUnterminatedQuoteNamesTheLineItOpensOn() {
        #expect(throws: BotError.malformedCSV(line: 3, reason: "unterminated quote")) {
            try LabeledCSV.parse("text,label\nhi,greet\n\"never closed,x\nmore\n")
        }
    }

    @Test func tooFewColumnsNamesTheLine() {
        #expect(throws: BotError.malformedCSV(line: 2, reason: "expected 2 columns, found 1")) {
            try LabeledCSV.parse("text,label\nonly-text\n")
        }
    }
}
