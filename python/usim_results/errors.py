"""usim_results.errors - what open_results raises for a file it cannot read.

Every refusal is one of these (or FileNotFoundError / PermissionError for
a path that is missing or unreadable), with a message naming the file and
the reason, never an exception from inside h5py.
"""


class ResultsError(Exception):
    """A file that cannot be read as a usim-batch output file."""


class NotUsimFileError(ResultsError):
    """Not an HDF5 file, or an HDF5 file that usim-batch did not write."""


class FormatTooNewError(ResultsError):
    """An output format newer than this reader knows (or older than it
    supports)."""
