"""Fail loudly if face_recognition cannot be imported.

face_recognition_models imports pkg_resources; when that is missing, `import face_recognition`
prints a hint and calls quit(), which exits with status 0. A set-up or test run that imports it
must therefore prove the import really completed.
"""

import subprocess
import sys

CODE = "import face_recognition; print('face_recognition-import-ok')"

result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=False)
if "face_recognition-import-ok" not in result.stdout:
    sys.stderr.write(result.stdout + result.stderr)
    sys.exit("import face_recognition did not complete (is setuptools<82 installed?)")
print("face_recognition imports")
