import Crypto
import Foundation

/// Seals secrets the server must use later but never show again (action header values, signing secrets) with a key
/// derived from the server's secret key: AES-GCM, stored as base64.
struct SecretBox: Sendable {
    private let key: SymmetricKey

    init(secret: SecretKey) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: secret.key, info: Data("kefu.sealed-secrets.v1".utf8), outputByteCount: 32)
    }

    func seal(_ text: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: key).combined else { throw SecretBoxError.sealFailed }
        return combined.base64EncodedString()
    }

    func open(_ sealed: String) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw SecretBoxError.corrupt }
        let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key)
        return String(decoding: plain, as: UTF8.self)
    }
}

enum SecretBoxError: Error {
    case sealFailed, corrupt
}
