/// Passwords of ten or more characters that top the public breach lists (and a few Chinese-keyboard favourites);
/// refused outright. Compared case-insensitively.
enum CommonPasswords {
    static let all: Set<String> = [
        "1234567890", "12345678910", "123456789a", "1234567890a", "0123456789", "0987654321", "1111111111",
        "0000000000", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "qwertyuiop", "qwerty1234", "qwerty12345",
        "qwertyuiop1", "asdfghjkl1", "asdfghjkl;", "zxcvbnm123", "1qaz2wsx3edc", "1qazxsw23edc", "zaq12wsxcde3",
        "password12", "password123", "password1234", "passw0rd123", "p@ssw0rd123", "password!1", "iloveyou12",
        "iloveyou123", "letmein123", "welcome123", "welcome1234", "admin12345", "administrator", "abc1234567",
        "abcd123456", "abcdefghij", "aaaaaaaaaa", "a123456789", "aa12345678", "qazwsxedcrfv", "football12",
        "baseball12", "sunshine12", "princess12", "monkey12345", "dragon1234", "superman12", "changeme123",
        "trustno1234", "woaini1314", "woaini520520", "5201314520", "1314520520", "wodemima123", "mima123456",
        "kefu123456", "demo123456", "test123456", "testtest12", "customer123", "service123",
    ]
}
