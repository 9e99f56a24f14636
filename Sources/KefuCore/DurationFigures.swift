/// A duration as the figures benchmarks and reports print.
extension Duration {
    public var inMilliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
    public var inSeconds: Double { inMilliseconds / 1000 }
}
