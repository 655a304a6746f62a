import Testing
@testable import Reconcilers

@Suite struct PersonNameTests {
    @Test func oneNormalFormHoweverTheNameIsTyped() throws {
        for typed in ["alice", "Alice", " alice ", "ALICE", "ａｌｉｃｅ"] {
            #expect(try PersonName(validating: typed).value == "alice", "\(typed)")
        }
        #expect(try PersonName(validating: "Mary  Ann\u{00A0}Smith").value == "mary ann smith")
        #expect(try PersonName(validating: "bob@example.com").value == "bob@example.com")
    }

    @Test func namesThatAreNoPersonsAreRefusedWithTheirReason() {
        #expect(throws: PersonName.Invalid.controlCharacter) { try PersonName(validating: "alice\n") }
        #expect(throws: PersonName.Invalid.controlCharacter) { try PersonName(validating: "al\tice") }
        #expect(throws: PersonName.Invalid.controlCharacter) { try PersonName(validating: "\u{1B}[31malice") }
        #expect(throws: PersonName.Invalid.controlCharacter) { try PersonName(validating: "ali\u{200B}ce") }
        #expect(throws: PersonName.Invalid.empty) { try PersonName(validating: "   ") }
        #expect(throws: PersonName.Invalid.tooLong(65)) { try PersonName(validating: String(repeating: "a", count: 65)) }
        for reserved in ["ai", "System", " controller ", "OPERATOR", "root"] {
            #expect(throws: PersonName.Invalid.reserved(reserved.trimmingCharacters(in: .whitespaces).lowercased())) {
                try PersonName(validating: reserved)
            }
        }
    }
}
