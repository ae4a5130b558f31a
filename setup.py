"""Build hook: the wheel carries the top-level templates/ and question_banks/ folders.

They stay at the top of the repository (where people edit them); a non-editable build copies
them into the package as ``attest/_data/<folder>``, where ``attest.config.shipped_dir`` finds
them at run time. An editable install (``make run``, ``make test``) reads them from the checkout.
The message catalogues are compiled (.po to .mo) into the build, as ``make translations`` does for
a checkout, so a wheel built from a fresh clone speaks every language. Everything else is
declared in setup.cfg."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("templates", "question_banks")


class build_py_with_data(build_py):  # noqa: N801 - named like the command it extends
    """Copy the shipped folders into the built package (never into the source tree)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).resolve().parent
        for name in SHIPPED:
            target = Path(self.build_lib) / "attest" / "_data" / name
            shutil.rmtree(target, ignore_errors=True)  # nothing stale from an earlier build
            shutil.copytree(root / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        _compile_catalogues(Path(self.build_lib) / "attest" / "translations")


def _compile_catalogues(directory: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in directory.glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


setup(cmdclass={"build_py": build_py_with_data})
