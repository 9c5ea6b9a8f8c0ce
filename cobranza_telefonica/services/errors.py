"""A service error that names its case: the ORM side turns ``code`` and ``params`` into a
translated message (UserError), the services stay free of the ORM and of translations."""


class CodedError(Exception):
    def __init__(self, code, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self):
        details = ", ".join(f"{key}={value}" for key, value in sorted(self.params.items()))
        return f"{self.code}({details})"
