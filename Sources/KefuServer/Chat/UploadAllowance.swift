import KefuCore

/// How many bytes of files widget visitors may send: per client address and per contact, each a bucket refilled
/// over a minute (its size at least one largest file). Agents are not limited here: they are signed-in members.
struct UploadAllowance: Sendable {
    let perAddress: AddressFrameLimiter
    let perContact: AddressFrameLimiter

    /// Bytes per minute (0: no limit); loopback clients are limited unless `exemptLoopback`.
    init(addressBytesPerMinute: Int, contactBytesPerMinute: Int, largestFile: Int, exemptLoopback: Bool) {
        func limiter(_ perMinute: Int) -> AddressFrameLimiter {
            AddressFrameLimiter(
                perSecond: Double(perMinute) / 60, burst: Double(max(perMinute, largestFile)), limitsLoopback: !exemptLoopback)
        }
        perAddress = limiter(addressBytesPerMinute)
        perContact = limiter(contactBytesPerMinute)
    }

    /// Charges an upload of `bytes`; throws `rateLimited` (429 with Retry-After) when either allowance is spent.
    func charge(_ bytes: Int, address: String, contact: ContactID) throws {
        if let wait = perAddress.charge(["address:" + address], cost: Double(bytes), address: address) {
            throw DomainError.rateLimited(retryAfterSeconds: wait)
        }
        if let wait = perContact.charge(["contact:\(contact)"], cost: Double(bytes), address: address) {
            throw DomainError.rateLimited(retryAfterSeconds: wait)
        }
    }
}
