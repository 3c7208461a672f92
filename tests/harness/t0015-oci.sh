#!/bin/sh
# A container image as the start: an OCI image layout built here with
# umoci (nothing from a registry), reduced with no profile at all
# (--image), its config giving the command, user, working directory and
# ports; and the bad images: not a layout, an unknown tag, a corrupt
# layer, no command, another architecture.
. "$(dirname "$0")/test-lib.sh"
test_lazy_prereq UMOCI 'command -v umoci' 'umoci not found: package umoci'
test_shares_warm_build

# The app's tests: the page, and a file only root may read, which the
# app (run as www by the image's config) must not serve (busybox httpd
# answers 404 for a file it cannot read; as root it would serve it).
cat >"$TRASH/oci-tests.sh" <<'EOS'
#!/bin/sh
base="http://$REDUCE_HOST:$REDUCE_PORT"
curl -sf --max-time 5 "$base/index.html" | grep -q "hello from an OCI image" || exit 1
code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 5 "$base/secret.html")
test "$code" = 403 || test "$code" = 404
EOS
chmod +x "$TRASH/oci-tests.sh"

test_setup UMOCI,BUSYBOX 'an OCI image of busybox httpd, run as www in /www on port 8080' '
	umoci init --layout img && umoci new --image img:v1 && umoci unpack --image img:v1 bundle &&
	r=bundle/rootfs && mkdir -p $r/bin $r/www $r/etc $r/usr/share/doc &&
	cp "${REDUCE_BUSYBOX:-/bin/busybox}" $r/bin/busybox &&
	echo "<h1>hello from an OCI image</h1>" >$r/www/index.html &&
	echo "root only" >$r/www/secret.html && chmod 600 $r/www/secret.html &&
	mkdir -m 777 $r/www/sub &&
	printf "root:x:0:0::/:/bin/sh\nwww:x:33:33::/www:/bin/sh\napp:x:1000:33::/www:/bin/sh\n" >$r/etc/passwd &&
	printf "root:x:0:\nwww:x:33:\n" >$r/etc/group &&
	echo "nobody reads this" >$r/usr/share/doc/README &&
	umoci repack --image img:v1 bundle &&
	umoci config --image img:v1 --config.entrypoint /bin/busybox --config.cmd httpd \
		--config.cmd -f --config.cmd -p --config.cmd 8080 --config.cmd -h --config.cmd . \
		--config.exposedports 8080/tcp --config.user www --config.workingdir /www \
		--config.env GREETING=hello
'
test_expect_success UMOCI,BOOT 'reduce --image with no profile: the image config drives it, the tree shrinks' '
	"$REDUCE" --image "oci:$TRASH/img:v1" --tests "$TRASH/oci-tests.sh" --only-rootfs --accel tcg \
		--baseline-runs 1 --verify-runs 1 --out "$TRASH/run" 2>err; rc=$?
	tail -4 err; test $rc = 0 &&
	grep -q "image img:v1 (sha256:[0-9a-f]*): [1-9] layers*, command /bin/busybox httpd -f -p 8080 -h ." err &&
	digest=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"manifests\"][0][\"digest\"])" img/index.json) &&
	/usr/bin/python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
assert r[\"image\"] == {\"name\": \"img:v1\", \"digest\": sys.argv[2]}, r[\"image\"]
assert r[\"app\"] == \"img-v1\" and r[\"verified\"]
assert r[\"rootfs\"][\"files\"][\"after\"] < r[\"rootfs\"][\"files\"][\"before\"]
" "$TRASH/run/report.json" "$digest" &&
	grep -qx /bin/busybox "$TRASH/run/rootfs.manifest" &&
	grep -qx /www/index.html "$TRASH/run/rootfs.manifest" &&
	! grep -q /usr/share/doc "$TRASH/run/rootfs.manifest"
'
test_expect_success UMOCI 'bad images: not a layout, an unknown tag, no command, another architecture, a corrupt layer' '
	expect_error 2 "is not an OCI image layout (no oci-layout file)" \
		"$REDUCE" --image "oci:$TRASH/bundle" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	expect_error 2 "index.json: no image tagged .v9. (tags: v1)" \
		"$REDUCE" --image "oci:$TRASH/img:v9" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	umoci config --image img:v1 --tag nocmd --clear=config.entrypoint --clear=config.cmd &&
	expect_error 2 "the image has no Entrypoint or Cmd" \
		"$REDUCE" --image "oci:$TRASH/img:nocmd" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	umoci config --image img:v1 --tag arm --architecture arm64 &&
	expect_error 2 "the image is for linux/arm64, not linux/amd64" \
		"$REDUCE" --image "oci:$TRASH/img:arm" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	cp -a img corrupt && layer=$(ls -S corrupt/blobs/sha256 | head -1) &&
	chmod u+w "corrupt/blobs/sha256/$layer" &&
	printf "X" | dd of="corrupt/blobs/sha256/$layer" bs=1 seek=100 conv=notrunc 2>/dev/null &&
	expect_error 2 "blob sha256:$layer is corrupt" \
		"$REDUCE" --image "oci:$TRASH/corrupt:v1" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	! test -e "$TRASH/bad" && ! test -e "$TRASH/bad.partial"
'
# An image whose command is a shell line (an argument with blanks and
# quotes, and one more after it), run by a profile that sets only the
# working directory and a numeric user: what the app was started with is
# written where the tests read it.
cat >"$TRASH/shc-tests.sh" <<'EOS'
#!/bin/sh
curl -sf --max-time 5 "http://$REDUCE_HOST:$REDUCE_PORT/sub/started.txt" |
	grep -qx "hello  world, it's me too in /www/sub as 1000:33"
EOS
chmod +x "$TRASH/shc-tests.sh"
cat >"$TRASH/shc-image.sh" <<'EOS'
line='echo "$GREETING, it'"'"'s $0 in $PWD as $(busybox id -u):$(busybox id -g)" >started.txt && '
line=$line'exec busybox httpd -f -p 8080 -h /www'
umoci config --image img:v1 --tag shc --config.env "GREETING=hello  world" \
	--config.entrypoint /bin/busybox --config.entrypoint sh --config.entrypoint -c \
	--config.cmd "$line" --config.cmd "me too"
EOS
test_expect_success UMOCI,BOOT 'an image command with quotes and blanks, its Env, a profile workdir and numeric user' '
	sh "$TRASH/shc-image.sh" &&
	printf "rootfs oci img:shc\nworkdir /www/sub\nuser 1000\n" >shc.conf &&
	"$REDUCE" --app "$TRASH/shc.conf" --tests "$TRASH/shc-tests.sh" --only-rootfs --max-candidates 1 \
		--accel tcg --baseline-runs 1 --verify-runs 1 --out "$TRASH/shc-run" 2>err; rc=$?
	tail -3 err; test $rc = 0 &&
	grep -q "command /bin/busybox sh -c .echo \"\$GREETING, it.\\\\..s \$0 in" err
'
test_expect_success UMOCI 'image settings init cannot carry, a quoted program name, a fifo for a blob' '
	umoci config --image img:v1 --tag nl --config.cmd "$(printf "a\nb")" &&
	expect_error 2 "img: the image.s Cmd has an argument with a newline, which init cannot pass" \
		"$REDUCE" --image "oci:$TRASH/img:nl" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	umoci config --image img:v1 --tag nlenv --config.env "$(printf "A=1\nuser 0 0")" &&
	expect_error 2 "img: the image.s Env has A with a newline, which init cannot pass" \
		"$REDUCE" --image "oci:$TRASH/img:nlenv" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	umoci config --image img:v1 --tag quoted --config.entrypoint "/bin/my app" &&
	expect_error 2 "the image.s command ./bin/my app. is not a plain program name" \
		"$REDUCE" --image "oci:$TRASH/img:quoted" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	printf "rootfs oci img:quoted\ncmd /bin/busybox httpd -f -p 8080\nuser nosuchuser\n" >own-cmd.conf &&
	expect_error 2 "user nosuchuser: no such user" \
		"$REDUCE" --app "$TRASH/own-cmd.conf" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	cp -a img fifo && chmod -R u+w fifo &&
	for b in fifo/blobs/sha256/*; do test $(stat -c %s $b) -gt 4096 || { rm $b && mkfifo $b; }; done &&
	expect_error 2 "not a regular file" timeout 60 \
		"$REDUCE" --image "oci:$TRASH/fifo:v1" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	! test -e "$TRASH/bad" && ! test -e "$TRASH/bad.partial"
'
# Crafting images: a copy of the layout edited with these.
cat >"$TRASH/layout.py" <<'EOS'
import hashlib, json, os
INDEX = "application/vnd.oci.image.index.v1+json"
REF = "org.opencontainers.image.ref.name"
def put(lay, data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(lay, "blobs/sha256", d), "wb").write(data)
    return "sha256:" + d, len(data)
def index(lay):
    return json.load(open(lay + "/index.json"))
def tagged(idx, tag):
    return [m for m in idx["manifests"] if m["annotations"][REF] == tag][0]
def blob(lay, digest):
    return json.load(open(lay + "/blobs/sha256/" + digest.split(":")[1]))
def save(lay, idx):
    json.dump(idx, open(lay + "/index.json", "w"))
EOS
test_expect_success UMOCI 'a multi-platform index without linux/amd64 is refused' '
	cp -a img multi && chmod -R u+w multi &&
	PYTHONPATH=$TRASH /usr/bin/python3 - multi <<-PY &&
	import json, sys
	from layout import INDEX, REF, put, index, tagged, save
	lay = sys.argv[1]
	idx = index(lay)
	arm = dict(tagged(idx, "v1"), platform={"architecture": "arm64", "os": "linux"})
	arm.pop("annotations")
	d, n = put(lay, json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": [arm]}).encode())
	idx["manifests"] = [{"mediaType": INDEX, "digest": d, "size": n, "annotations": {REF: "v1"}}]
	save(lay, idx)
	PY
	expect_error 2 "multi: the image has no linux/amd64 variant" \
		"$REDUCE" --image "oci:$TRASH/multi:v1" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	! test -e "$TRASH/bad" && ! test -e "$TRASH/bad.partial"
'
test_expect_success UMOCI 'a config blob of more than 16 MiB is refused before it is parsed' '
	cp -a img huge && chmod -R u+w huge &&
	PYTHONPATH=$TRASH /usr/bin/python3 - huge <<-PY &&
	import json, sys
	from layout import put, index, tagged, blob, save
	lay = sys.argv[1]
	idx = index(lay)
	ent = tagged(idx, "v1")
	man = blob(lay, ent["digest"])
	man["config"]["digest"], man["config"]["size"] = put(lay, b"{" + b" " * (17 << 20) + b"}")
	ent["digest"], ent["size"] = put(lay, json.dumps(man).encode())
	save(lay, idx)
	PY
	expect_error 2 "not an image config (17825794 bytes, more than 16 MiB)" \
		"$REDUCE" --image "oci:$TRASH/huge:v1" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	! test -e "$TRASH/bad" && ! test -e "$TRASH/bad.partial"
'
# What docker save writes, made of img:v1 with Python's tarfile: the
# config and each layer as members of one tar, and manifest.json.
test_setup UMOCI 'a docker-archive of the same image, and broken ones' '
	/usr/bin/python3 - img v1 <<-PY
	import io, json, sys, tarfile
	lay, tag = sys.argv[1], sys.argv[2]
	blob = lambda d: open(lay + "/blobs/sha256/" + d.split(":")[1], "rb").read()
	idx = json.load(open(lay + "/index.json"))
	ent = [m for m in idx["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == tag][0]
	man = json.loads(blob(ent["digest"]))
	cfg = man["config"]["digest"].split(":")[1] + ".json"
	layers = [l["digest"].split(":")[1] + "/layer.tar" for l in man["layers"]]
	def write(name, members, manifest):
	    with tarfile.open(name, "w") as t:
	        for n, data in members:
	            i = tarfile.TarInfo(n); i.size = len(data); t.addfile(i, io.BytesIO(data))
	        if manifest is not None:
	            m = json.dumps(manifest).encode()
	            i = tarfile.TarInfo("manifest.json"); i.size = len(m); t.addfile(i, io.BytesIO(m))
	members = [(cfg, blob(man["config"]["digest"]))] + \
	          [(n, blob(l["digest"])) for n, l in zip(layers, man["layers"])]
	good = [{"Config": cfg, "RepoTags": ["img:v1"], "Layers": layers}]
	write("img.tar", members, good)
	write("nomanifest.tar", members, None)
	write("nolayer.tar", members[:1], good)
	write("escape.tar", members, [{"Config": cfg, "RepoTags": ["img:v1"], "Layers": ["../x/layer.tar"]}])
	cut = [(n, d[:len(d) // 2] if n.endswith("layer.tar") else d) for n, d in members]
	write("cutlayer.tar", cut, good)
	PY
'
test_expect_success UMOCI,BOOT 'reduce --image docker-archive: the same image reduces to the same files' '
	"$REDUCE" --image "docker-archive:$TRASH/img.tar:v1" --tests "$TRASH/oci-tests.sh" --only-rootfs \
		--accel tcg --baseline-runs 1 --verify-runs 1 --out "$TRASH/drun" 2>err; rc=$?
	tail -4 err; test $rc = 0 &&
	/usr/bin/python3 - "$TRASH/drun/report.json" img.tar <<-PY &&
	import json, sys, tarfile
	r = json.load(open(sys.argv[1]))
	cfg = json.load(tarfile.open(sys.argv[2]).extractfile("manifest.json"))[0]["Config"]
	assert r["image"]["name"] == "img.tar:v1", r["image"]
	assert r["image"]["digest"] == "sha256:" + cfg.split(".")[0], (r["image"], cfg)
	assert r["app"] == "img-v1" and r["verified"]
	PY
	cmp "$TRASH/run/rootfs.manifest" "$TRASH/drun/rootfs.manifest"
'
test_expect_success UMOCI 'bad docker-archives: no manifest.json, a missing layer, a layer outside, an unknown tag, a cut layer' '
	expect_error 2 "cutlayer.tar:[0-9a-f]*/layer.tar: " \
		"$REDUCE" --image "docker-archive:$TRASH/cutlayer.tar" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	expect_error 2 "nomanifest.tar is not a docker-archive (no manifest.json in it)" \
		"$REDUCE" --image "docker-archive:$TRASH/nomanifest.tar" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	expect_error 2 "manifest.json names the layer [0-9a-f]*/layer.tar, which the archive lacks" \
		"$REDUCE" --image "docker-archive:$TRASH/nolayer.tar" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	expect_error 2 "a layer outside the archive (../x/layer.tar)" \
		"$REDUCE" --image "docker-archive:$TRASH/escape.tar" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	expect_error 2 "img.tar: no image tagged .v9. (tags: img:v1)" \
		"$REDUCE" --image "docker-archive:$TRASH/img.tar:v9" --tests "$TRASH/oci-tests.sh" --out "$TRASH/bad" &&
	! test -e "$TRASH/bad" && ! test -e "$TRASH/bad.partial"
'
test_expect_success UMOCI 'a profile names an image with rootfs oci; its own lines win over the config' '
	printf "rootfs oci img:v9\nport 8080\n" >p1.conf &&
	expect_error 2 "no image tagged .v9." "$REDUCE" --app "$TRASH/p1.conf" --tests "$TRASH/oci-tests.sh" &&
	printf "rootfs oci nothere:v1\n" >p2.conf &&
	expect_error 2 "p2.conf:1: rootfs oci nothere:v1: No such file or directory" \
		"$REDUCE" --app "$TRASH/p2.conf" --tests "$TRASH/oci-tests.sh" &&
	printf "rootfs oci img:v1\nuser nosuchuser\ncmd /bin/busybox true\n" >p3.conf &&
	expect_error 2 "user nosuchuser: no such user in the image.s /etc/passwd" \
		"$REDUCE" --app "$TRASH/p3.conf" --tests "$TRASH/oci-tests.sh" --out "$TRASH/p3"
'
test_done
