import ArgumentParser
import Foundation
import KefuBot

/// `kefu bot …`: train, evaluate and query the intent model from the command line.
struct BotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bot", abstract: "Train, evaluate and query the bot's intent model.",
        subcommands: [Train.self, Eval.self, Ask.self])

    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train a model from a CSV with header text,label.")

        @Option(help: "Training CSV (header text,label).") var data: String
        @Option(help: "Where to write the model file.") var out: String
        @Option(help: "Label of out-of-scope examples, if the data has them.") var oosLabel: String?

        func run() async throws {
            let examples = try loadCSV(data)
            let evaluation = Evaluation()
            let model = try evaluation.trainModel(examples, oosLabel: oosLabel)
            try ModelCodec.encode(model).write(to: URL(fileURLWithPath: out))
            say(
                "trained \(model.classifier.labels.count) intents on \(examples.count) examples; hand-off below p=\(String(format: "%.2f", model.threshold)); wrote \(out)"
            )
        }
    }

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train on one CSV, score another, print the figures.")

        @Option(help: "Training CSV.") var train: String
        @Option(help: "Test CSV.") var test: String
        @Option(help: "Label of out-of-scope examples; adds in_scope_accuracy, oos_recall, oos_precision.") var oosLabel: String?
        @Flag(help: "Print one JSON object.") var json = false
        @Option(help: "Training epochs (tuning).") var epochs: Int?
        @Option(help: "Initial learning rate (tuning).") var learningRate: Float?
        @Option(help: "L2 penalty (tuning).") var l2: Float?
        @Option(help: "Share of in-scope questions allowed to hand off, for the threshold (tuning).") var handoffRate: Double?
        @Option(help: "Hidden units of the network averaged with the linear model, 0 for none (tuning).") var hidden: Int?
        @Option(help: "Share of the network in the averaged probabilities (tuning).") var networkWeight: Float?
        @Option(help: "Share of input features the network drops per training example (tuning).") var inputDropout: Float?

        func run() async throws {
            var evaluation = Evaluation()
            if let epochs { evaluation.options.epochs = epochs }
            if let learningRate { evaluation.options.learningRate = learningRate }
            if let l2 { evaluation.options.l2 = l2 }
            if let handoffRate { evaluation.inScopeHandoffRate = handoffRate }
            if let hidden { evaluation.options.hiddenUnits = hidden }
            if let networkWeight { evaluation.options.networkWeight = networkWeight }
            if let inputDropout { evaluation.options.inputDropout = inputDropout }
            // Checked before reading or training anything, so a typo costs no minutes.
            try validated(evaluation.options)
            guard (0..<1).contains(evaluation.inScopeHandoffRate) else {
                throw failBot("--handoff-rate must be at least 0 and below 1")
            }
            let trainSet = try loadCSV(train)
            let testSet = try loadCSV(test)
            let report = try evaluation.run(train: trainSet, test: testSet, oosLabel: oosLabel)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                say(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                say("accuracy \(report.accuracy)  macro_f1 \(report.macroF1)  n_test \(report.nTest)")
                say("train \(report.trainSeconds) s  p50 \(report.p50Ms) ms  p99 \(report.p99Ms) ms")
                if let inScope = report.inScopeAccuracy, let recall = report.oosRecall, let precision = report.oosPrecision {
                    say(
                        "in_scope_accuracy \(inScope)  oos_recall \(recall)  oos_precision \(precision)  threshold \(report.threshold ?? 0)"
                    )
                }
            }
        }
    }

    struct Ask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the bot's decision for one message as JSON.")

        @Option(help: "Model file from `kefu bot train`.") var model: String
        @Option(help: "Knowledge base JSON (FAQ entries and articles).") var kb: String?
        @Option(help: "Flow JSON (docs/FLOWS.md) started when the intent equals its id; repeatable.") var flow: [String] = []
        @Argument(help: "The customer's message.") var text: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: model) else { throw failBot("cannot read \(model)") }
            let botModel: BotModel
            do {
                botModel = try ModelCodec.decode(data)
            } catch {
                throw failBot(String(describing: error))
            }
            var knowledge = KnowledgeBase()
            if let kb {
                guard let kbData = FileManager.default.contents(atPath: kb) else { throw failBot("cannot read \(kb)") }
                do {
                    knowledge = try KnowledgeBase.load(json: kbData)
                } catch {
                    throw failBot("invalid knowledge base \(kb): \(error)")
                }
            }
            var flows: [String: String] = [:]
            for path in flow {
                guard let flowData = FileManager.default.contents(atPath: path) else { throw failBot("cannot read \(path)") }
                do {
                    let loaded = try Flow.load(json: flowData)
                    flows[loaded.id] = loaded.id
                } catch {
                    throw failBot("invalid flow \(path): \(error)")
                }
            }
            let engine = BotEngine(model: botModel, knowledge: knowledge, flows: flows)
            let decision = engine.decide(text, context: ConversationContext())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            say(String(decoding: try encoder.encode(decision), as: UTF8.self))
        }
    }
}

/// Reads a labelled CSV; malformed input is a message naming the line and exit code 2.
func loadCSV(_ path: String) throws -> [LabeledExample] {
    do {
        return try LabeledCSV.read(path: path)
    } catch let error as BotError {
        FileHandle.standardError.write(Data("kefu: error: \(path): \(error)\n".utf8))
        throw ExitCode(2)
    }
}

/// Training options that `IntentClassifier.train` would refuse are a message and exit code 2 before any work.
func validated(_ options: TrainingOptions) throws {
    do {
        try options.validate()
    } catch {
        throw failBot(String(describing: error))
    }
}

func failBot(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("kefu: error: \(message)\n".utf8))
    return ExitCode(2)
}
