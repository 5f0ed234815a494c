"""Build asv's HTML dashboard so that it renders without internet access.

``asv publish`` writes an index.html that loads jQuery, flot, bootstrap and a few plugins
from CDNs; offline, the page shows only "One or more external (JavaScript) dependencies
of airspeed velocity failed to load". This runs ``asv publish``, then fetches those files
from the npm registry (the versions the CDN addresses name, ``npm pack``, kept in a cache
folder), copies them into the HTML folder under ``vendor/`` and links them there. An
address it does not know (a newer asv) is an error, not a page that fails to draw.

    python benchmarks/publish.py [--config asv.conf.json]

then serve the HTML folder (``asv preview``, or ``python -m http.server -d .asv/html``).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
JSDELIVR = "https://cdn.jsdelivr.net/npm"
#: address in asv's index.html -> (npm package@version, the file inside the package)
VENDOR = {
    "https://code.jquery.com/jquery-3.3.1.min.js": ("jquery@3.3.1", "dist/jquery.min.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.min.js": ("flot@0.8.3", "jquery.flot.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.time.min.js": ("flot@0.8.3", "jquery.flot.time.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.selection.min.js": ("flot@0.8.3", "jquery.flot.selection.js"),
    f"{CDNJS}/flot/0.8.3/jquery.flot.categories.min.js": ("flot@0.8.3", "jquery.flot.categories.js"),
    f"{JSDELIVR}/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js":
        ("flot-orderbars@1.0.0", "js/jquery.flot.orderBars.js"),
    # 1.0.1 is not on npm; 1.1.3 has the same $.fn.stupidtable
    f"{CDNJS}/stupidtable/1.0.1/stupidtable.min.js": ("stupid-table-plugin@1.1.3", "stupidtable.min.js"),
    f"{CDNJS}/blueimp-md5/2.19.0/js/md5.min.js": ("blueimp-md5@2.19.0", "js/md5.min.js"),
    f"{JSDELIVR}/bootstrap@3.1.1/dist/js/bootstrap.min.js": ("bootstrap@3.1.1", "dist/js/bootstrap.min.js"),
    f"{JSDELIVR}/bootstrap@3.1.1/dist/css/bootstrap.min.css": ("bootstrap@3.1.1", "dist/css/bootstrap.min.css"),
}
#: folders a vendored file refers to by relative address (bootstrap's css: its icon font)
ALSO = {"bootstrap@3.1.1": ["dist/fonts/"]}
#: a <script src=...> or <link href=...> tag loading from outside the page's folder
REMOTE_TAG = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="(https?://[^"]+)"[^>]*>')
FOREIGN_ATTRIBUTES = re.compile(r'\s+(?:integrity|crossorigin|referrerpolicy)="[^"]*"')


def cache_dir() -> Path:
    """Where fetched packages are kept: $FASTNET_ASV_JS, else ~/.cache/fastnet/asv-js."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fastnet" / "asv-js"
    return Path(os.environ.get("FASTNET_ASV_JS", default))


def fetch(spec: str, cache: Path) -> Path:
    """The tarball of npm package ``spec`` (name@version), packed by npm into ``cache``."""
    name, version = spec.rsplit("@", 1)
    tarball = cache / f"{name}-{version}.tgz"
    if not tarball.is_file():
        if shutil.which("npm") is None:
            sys.exit(f"publish.py: npm is needed to fetch {spec} (Debian: apt-get install npm)")
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(cache), spec],
                       check=True, stdout=subprocess.DEVNULL)
    return tarball


def extract(tarball: Path, wanted, into: Path) -> None:
    """Copy the package files ``wanted`` (paths, or folders ending in /) into ``into``."""
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            path = member.name.split("/", 1)[1]  # npm tarballs hold one top folder
            if member.isfile() and any(path == w or (w.endswith("/") and path.startswith(w))
                                       for w in wanted):
                target = into / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.extractfile(member).read())


def vendor(html_dir: Path, cache: Path) -> int:
    """Link every page of ``html_dir`` to local copies of its CDN files; the count linked."""
    pages = sorted(html_dir.glob("*.html"))
    addresses = {url for page in pages for url in REMOTE_TAG.findall(page.read_text())}
    unknown = addresses - VENDOR.keys()
    if unknown:
        sys.exit("publish.py: asv's pages load files this script does not know; add them "
                 "to VENDOR: " + ", ".join(sorted(unknown)))
    by_package = {}
    for url in addresses:
        spec, path = VENDOR[url]
        by_package.setdefault(spec, set()).add(path)
    for spec, paths in by_package.items():
        extract(fetch(spec, cache), sorted(paths) + ALSO.get(spec, []),
                html_dir / "vendor" / spec.rsplit("@", 1)[0])

    def local(tag):
        url = tag.group(1)
        spec, path = VENDOR[url]
        address = f"vendor/{spec.rsplit('@', 1)[0]}/{path}"
        return FOREIGN_ATTRIBUTES.sub("", tag.group(0).replace(url, address))

    for page in pages:
        page.write_text(REMOTE_TAG.sub(local, page.read_text()))
    return len(addresses)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="asv.conf.json", help="asv's configuration file")
    args = parser.parse_args(argv)
    subprocess.run(["asv", "publish", "--config", args.config], check=True)
    with open(args.config) as file:  # asv reads the paths from the file's folder
        html_dir = Path(args.config).parent / json.load(file).get("html_dir", "html")
    html_dir = Path(os.path.normpath(html_dir))
    count = vendor(html_dir, cache_dir())
    print(f"asv dashboard: {html_dir / 'index.html'} ({count} CDN files served locally)")


if __name__ == "__main__":
    main()
