"""The one exception type that core raises for anything a person should read."""


class CoreError(Exception):
    """A problem with the user's input or settings, with a message meant for a person.

    The message says what was wrong and what to do; the app shows it as is and the command
    line prints it as one line.
    """
