import ArgumentParser
import Foundation
import KefuBot
import KefuCore
import KefuLoad
import KefuServer

/// `kefu bench …`: benchmarks whose figures go into docs/BENCHMARKS.md.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run benchmarks and print their figures.",
        subcommands: [
            Bot.self, Knowledge.self, Chat.self, ChatBot.self, ChatIdle.self, Routing.self, Tickets.self, Deliveries.self,
        ])

    struct Chat: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Live chat against running servers: customers and agents over the public API and the chat protocol.")

        @Option(help: "A server, e.g. http://127.0.0.1:8080; repeat for several instances (clients are spread over them).")
        var url: [String]
        @Option(help: "A workspace owner's e-mail.") var email: String
        @Flag(help: "Read the owner's password from standard input.") var passwordStdin = false
        @Option(help: "Widget customers, one conversation each.") var customers = 100
        @Option(help: "Messages each customer sends.") var messages = 20
        @Option(help: "Agents (default: enough that none writes more than 40 frames a second).") var agents: Int?
        @Option(help: "Messages per second each customer sends.") var rate = 8.0
        @Option(help: "An agent answers every this many customer messages.") var replyEvery = 5
        @Option(help: "Idle widget sockets kept open during the run.") var idle = 0
        @Flag(help: "Print one JSON object instead of a summary.") var json = false

        func run() async throws {
            guard passwordStdin, let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("give the owner's password on standard input with --password-stdin")
            }
            guard customers > 0, messages > 0, rate > 0, replyEvery > 0, idle >= 0, !url.isEmpty else {
                throw ValidationError("--url is required; --customers, --messages, --rate and --reply-every must be positive")
            }
            var bench = ChatBenchmark(urls: url, email: email, password: password)
            bench.idle = idle
            bench.customers = customers
            bench.messages = messages
            bench.agents = agents
            bench.ratePerCustomer = rate
            bench.replyEvery = replyEvery
            let quiet = json
            let report = try await bench.run { if !quiet { say($0) } }
            let encoder = JSONEncoder()
            encoder.outputFormatting = json ? [.sortedKeys] : [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }

    struct ChatBot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chat-bot",
            abstract: "The bot's turn over the chat protocol: customers ask, the time to the bot's answer is measured.")

        @Option(help: "The server, e.g. http://127.0.0.1:8080.") var url: String
        @Option(help: "A workspace owner's e-mail (to read the widget key).") var email: String
        @Flag(help: "Read the owner's password from standard input.") var passwordStdin = false
        @Option(help: "Widget customers asking in turn.") var customers = 250
        @Option(help: "Questions per second, all customers together.") var rate = 500.0
        @Option(help: "How long to ask.") var seconds = 10.0
        @Option(help: "faq (knowledge-base answers) or orders (the order-status flow with a business action).")
        var questions = "faq"
        @Flag(help: "Print one JSON object instead of a summary.") var json = false

        func run() async throws {
            guard ["faq", "orders"].contains(questions) else { throw ValidationError("--questions is faq or orders") }
            guard passwordStdin, let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("give the owner's password on standard input with --password-stdin")
            }
            guard customers > 0, rate > 0, seconds > 0 else {
                throw ValidationError("--customers, --rate and --seconds must be positive")
            }
            FileLimit.raiseToHardLimit()
            var bench = ChatBotBenchmark(url: url, email: email, password: password)
            bench.customers = customers
            bench.rate = rate
            bench.seconds = seconds
            bench.questionSet = questions
            let quiet = json
            print(try encode(try await bench.run { if !quiet { say($0) } }, compact: json))
        }
    }

    struct ChatIdle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chat-idle", abstract: "Server memory per idle widget connection.")

        @Option(help: "The server, e.g. http://127.0.0.1:8080.") var url: String
        @Option(help: "A workspace owner's e-mail (to read the widget key).") var email: String
        @Flag(help: "Read the owner's password from standard input.") var passwordStdin = false
        @Option(help: "Idle widget sockets to open.") var connections = 1000
        @Flag(help: "Print one JSON object instead of a summary.") var json = false

        func run() async throws {
            guard passwordStdin, let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("give the owner's password on standard input with --password-stdin")
            }
            guard connections > 0 else { throw ValidationError("--connections must be positive") }
            FileLimit.raiseToHardLimit()
            var bench = IdleSocketsBenchmark(url: url, email: email, password: password)
            bench.connections = connections
            let quiet = json
            print(try encode(try await bench.run { if !quiet { say($0) } }, compact: json))
        }
    }

    static func encode(_ report: some Encodable, compact: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = compact ? [.sortedKeys] : [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    struct Routing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Routing decisions on a busy workspace: hand-off → assigned or queued, event out.")

        @Option(help: "postgres://… to measure on PostgreSQL (default: a temporary SQLite file).") var database: String?
        @Option(help: "Agents with a console open.") var agents = 200
        @Option(help: "Chats already open, spread over the agents.") var openChats = 5000
        @Option(help: "Hand-offs to time.") var handoffs = 1000
        @Option(help: "Hand-offs at once.") var concurrency = 4
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            var bench = RoutingBenchmark()
            bench.databaseURL = database
            bench.agents = agents
            bench.openChats = openChats
            bench.handoffs = handoffs
            bench.concurrency = concurrency
            guard agents > 0, openChats >= 0, handoffs > 0, concurrency > 0 else {
                throw ValidationError("--agents, --handoffs and --concurrency must be positive")
            }
            let quiet = json
            let report = try await bench.run { if !quiet { say($0) } }
            print(try BenchCommand.encode(report, compact: json))
        }
    }

    struct Tickets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ticket views with counts at scale, and the SLA sweep with nothing and with a batch due.")

        @Option(help: "postgres://… to measure on PostgreSQL (default: a temporary SQLite file).") var database: String?
        @Option(help: "Tickets to seed.") var tickets = 100_000
        @Option(help: "Times every view is opened.") var rounds = 40
        @Option(help: "SLA clocks made due for the second sweep.") var due = 1000
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            guard tickets > 0, rounds > 0, due >= 0 else { throw ValidationError("--tickets and --rounds must be positive") }
            var bench = TicketBenchmark()
            bench.databaseURL = database
            bench.tickets = tickets
            bench.rounds = rounds
            bench.due = due
            let quiet = json
            let report = try await bench.run { if !quiet { say($0) } }
            print(try BenchCommand.encode(report, compact: json))
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queues many e-mails at once and times the delivery worker sending them to an SMTP server.")

        @Option(help: "postgres://… to measure on PostgreSQL (default: a temporary SQLite file).") var database: String?
        @Option(help: "The SMTP server, e.g. smtp://127.0.0.1:2525?starttls=never (scripts/mail_sink.py).")
        var smtpURL: String
        @Option(help: "E-mails to queue.") var mails = 1000
        @Option(help: "Deliveries sent at once.") var workers = 4
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            guard mails > 0, (1...64).contains(workers) else { throw ValidationError("--mails must be positive, --workers 1–64") }
            do { _ = try SMTPServer.parse(smtpURL) } catch { throw ValidationError("--smtp-url: \(error)") }
            var bench = DeliveryBenchmark()
            bench.databaseURL = database
            bench.smtpURL = smtpURL
            bench.mails = mails
            bench.workers = workers
            let quiet = json
            let report = try await bench.run { if !quiet { say($0) } }
            print(try BenchCommand.encode(report, compact: json))
        }
    }

    struct Knowledge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Knowledge base and bot in the server: portal search, publish-to-found, training, bot decisions.")

        @Option(help: "postgres://… to measure on PostgreSQL (default: a temporary SQLite file).") var database: String?
        @Option(help: "Published articles in the index.") var articles = 10_000
        @Option(help: "Portal search queries to time.") var queries = 2000

        func run() async throws {
            var bench = KnowledgeBenchmark()
            bench.databaseURL = database
            bench.articles = articles
            bench.queries = queries
            try await bench.run { say($0) }
        }
    }

    struct Bot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bot engine: cross-validated accuracy on the shared data, training time, latency, index size.")

        @Option(help: "Folder with banking77/, clinc150/, ecommerce-zh/ (default ../shared/data).") var data = "../shared/data"
        @Option(help: "Cross-validation folds.") var folds = 5
        @Option(help: "Knowledge-base sizes for the index benchmark.") var kbSizes = "1000,10000,100000"
        @Flag(help: "Skip cross-validation (latency and index only).") var quick = false
        @Option(help: "Hidden units of the network beside the linear model; 0 measures the linear model alone.")
        var hidden: Int?
        @Option(help: .hidden) var indexOnly: Int?

        func run() async throws {
            let clock = ContinuousClock()
            if let size = indexOnly {
                let clinc = try loadCSV("\(data)/clinc150/train.csv")
                let before = ProcessMemory.residentBytes()
                let t0 = clock.now
                let kb = SyntheticKnowledgeBase.make(from: clinc, entries: size)
                let build = (clock.now - t0).inSeconds
                say(
                    "  \(kb.count) entries: build \(f(build)) s, +\((ProcessMemory.residentBytes() - before) / 1_048_576) MB resident"
                )
                return
            }
            say("machine: \(machine())")
            let sets: [(String, String?)] = [("banking77", nil), ("clinc150", "oos"), ("ecommerce-zh", "oos")]
            var options = TrainingOptions()
            if let hidden { options.hiddenUnits = hidden }
            try validated(options)
            say(
                "classifier: linear model\(options.hiddenUnits > 0 ? " averaged with a \(options.hiddenUnits)-unit network" : " alone")"
            )
            var loaded: [String: [LabeledExample]] = [:]
            for (name, _) in sets { loaded[name] = try loadCSV("\(data)/\(name)/train.csv") }

            if !quick {
                say(
                    "\n\(folds)-fold cross-validation on each train.csv (threshold chosen inside each fold, on its training part):"
                )
                for (name, oos) in sets {
                    var cv = CrossValidation()
                    cv.folds = folds
                    cv.options = options
                    let start = clock.now
                    let r = try cv.run(loaded[name] ?? [], oosLabel: oos)
                    let seconds = (clock.now - start).components.seconds
                    if oos != nil {
                        say(
                            "  \(name): in_scope_accuracy \(f(r.inScopeAccuracy)) oos_recall \(f(r.oosRecall)) in_scope_handoff_rate \(f(r.inScopeHandoffRate)) projected oos_precision at 18% oos \(f(r.projectedOOSPrecision(share: 1000.0 / 5500))) threshold \(f(r.meanThreshold)) (\(seconds) s)"
                        )
                    } else {
                        say("  \(name): accuracy \(f(r.accuracy)) (\(seconds) s)")
                    }
                }
            }

            if !quick {
                say(
                    "\ncalibration (expected calibration error of the top probability, 3-fold out-of-fold, fitted on half, measured on the other half):"
                )
                for (name, _) in sets {
                    let c = try CalibrationReport.measure(loaded[name] ?? [], options: options)
                    say(
                        "  \(name): ECE raw softmax \(f(c.errorBefore)) → temperature \(f(c.temperature)) → ECE \(f(c.errorAfter))"
                    )
                }
            }

            let banking = loaded["banking77"] ?? []
            let start = clock.now
            let model = try IntentClassifier.train(banking, options: options)
            say("\ntraining on all of banking77 (\(banking.count) rows): \(f((clock.now - start).inSeconds)) s")
            let encoded = try ModelCodec.encode(BotModel(classifier: model, threshold: 0))
            let loadStart = clock.now
            _ = try ModelCodec.decode(encoded)
            say("model file \(encoded.count / 1024) KiB, loads in \(f((clock.now - loadStart).inSeconds * 1000)) ms")

            let clinc = loaded["clinc150"] ?? []
            say("\nknowledge-base index (entries of two CLINC150 questions and an answer):")
            for size in kbSizes.split(separator: ",").compactMap({ Int($0) }) {
                say(try measureInChild(size: size))
            }
            let kb = SyntheticKnowledgeBase.make(from: clinc, entries: 10_000)
            let queries = banking.prefix(2_000).map(\.text) + clinc.suffix(1_000).map(\.text)
            var latencies: [Double] = []
            for q in queries {
                let q0 = clock.now
                _ = model.classify(q)
                _ = kb.search(q, limit: 3)
                latencies.append((clock.now - q0).inSeconds * 1000)
            }
            latencies.sort()
            say(
                "classify (banking77 model) + retrieve top-3 over 10,000 entries, \(queries.count) queries, one core: p50 \(f(Metrics.percentile(latencies, 0.5))) ms, p99 \(f(Metrics.percentile(latencies, 0.99))) ms"
            )
        }

        func f(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "-" }

        func machine() -> String {
            let cpu =
                (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
                .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces)
                ?? "unknown CPU"
            return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), \(Date().formatted(.iso8601))"
        }

        /// Bytes currently allocated on the heap (glibc); resident size would not drop after earlier frees.
        /// Builds one index size in a fresh process, so its resident-memory growth is not hidden by memory an
        /// earlier step freed.
        func measureInChild(size: Int) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["bench", "bot", "--data", data, "--index-only", String(size)]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
