/// An error a command reports to the user: the message goes to stderr and the
/// process exits with `status` (1 = the input or the data is bad).
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var status: Int32

    init(_ message: String, status: Int32 = 1) {
        self.message = message
        self.status = status
    }

    var description: String { message }
}
