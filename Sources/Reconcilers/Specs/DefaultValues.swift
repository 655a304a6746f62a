import PDWire

// The named defaults of spec fields, each used as `@Default<Name>` beside its field. A name says its value.

public enum True: DefaultValue { public static var defaultValue: Bool { true } }
public enum False: DefaultValue { public static var defaultValue: Bool { false } }
public enum Zero<Number: AdditiveArithmetic & Codable>: DefaultValue { public static var defaultValue: Number { .zero } }

public enum Int1: DefaultValue { public static var defaultValue: Int { 1 } }
public enum Int3: DefaultValue { public static var defaultValue: Int { 3 } }
public enum Int4: DefaultValue { public static var defaultValue: Int { 4 } }
public enum Int30: DefaultValue { public static var defaultValue: Int { 30 } }
public enum Int120: DefaultValue { public static var defaultValue: Int { 120 } }

public enum Double1: DefaultValue { public static var defaultValue: Double { 1 } }
public enum Double2: DefaultValue { public static var defaultValue: Double { 2 } }
public enum Double3: DefaultValue { public static var defaultValue: Double { 3 } }
public enum Percent10: DefaultValue { public static var defaultValue: Double { 10 } }
public enum Percent15: DefaultValue { public static var defaultValue: Double { 15 } }
public enum Percent20: DefaultValue { public static var defaultValue: Double { 20 } }
public enum Mebibytes16: DefaultValue { public static var defaultValue: Double { 16 * 1024 * 1024 } }

public enum Milliseconds100: DefaultValue { public static var defaultValue: GoDuration { .milliseconds(100) } }
public enum Milliseconds500: DefaultValue { public static var defaultValue: GoDuration { .milliseconds(500) } }
public enum Seconds0: DefaultValue { public static var defaultValue: GoDuration { .zero } }
public enum Seconds2: DefaultValue { public static var defaultValue: GoDuration { .seconds(2) } }
public enum Seconds5: DefaultValue { public static var defaultValue: GoDuration { .seconds(5) } }
public enum Seconds10: DefaultValue { public static var defaultValue: GoDuration { .seconds(10) } }
public enum Seconds30: DefaultValue { public static var defaultValue: GoDuration { .seconds(30) } }
public enum Minutes1: DefaultValue { public static var defaultValue: GoDuration { .minutes(1) } }
public enum Minutes2: DefaultValue { public static var defaultValue: GoDuration { .minutes(2) } }
public enum Minutes5: DefaultValue { public static var defaultValue: GoDuration { .minutes(5) } }
public enum Minutes10: DefaultValue { public static var defaultValue: GoDuration { .minutes(10) } }
public enum Hours1: DefaultValue { public static var defaultValue: GoDuration { .hours(1) } }

public enum UTC: DefaultValue { public static var defaultValue: String { "UTC" } }

extension Severity {
    public enum Info: DefaultValue { public static var defaultValue: Severity { .info } }
    public enum Warning: DefaultValue { public static var defaultValue: Severity { .warning } }
    public enum Critical: DefaultValue { public static var defaultValue: Severity { .critical } }
}
