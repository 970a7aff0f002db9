// Least privilege on the systemd host: root runs what bluegreen:route-helper prints (the helper, the app's line of
// /etc/bluegreen/routes, one sudo rule, the include's directory root's). The deploy user then deploys through the helper
// under load, and a deploy that writes the include itself is refused by the file system. Undone at the end: the other
// ITs' deploy user writes the include.
def server = evaluate(new File(itSupportFile))
String app = 'sd-route-helper'
def mvn = { String name, List<String> args ->
    File log = new File(basedir, "${name}.log")
    [server.mvn(basedir, localRepositoryPath, args, log).waitFor(), log.text]
}
def (printed, printLog) = mvn('print', ['bluegreen:route-helper', '-Pbluegreen'])
server.check(printed == 0, "bluegreen:route-helper prints the installation: ${printLog.takeRight(2000)}")
def lines = printLog.readLines().findAll { it.startsWith('[INFO] ') }.collect { it.substring(7) }
        .dropWhile { !it.startsWith('# as root, once per server') }
String install = lines.subList(0, lines.findIndexOf { it.startsWith('# then deploy with') } + 1).join('\n')
server.check(install.contains("${app} /etc/nginx/bluegreen/service-url.inc 8080 8081") && install.contains('NOPASSWD: /usr/local/sbin/bluegreen-route'),
        "the app's line and the one sudo rule: ${install}")
try {
    server.run(["${server.env.BLUEGREEN_IT_TOOLS}/systemd-host/ssh.sh", server.env.BLUEGREEN_SD_DIR, 'root', 'sh -es'], install)
    server.check(server.sd('root', 'stat -c %U /etc/nginx/bluegreen').trim() == 'root', 'the include directory is root\'s now')

    server.startTraffic(new File(basedir, 'traffic'), server.sdUrl)
    def helper = ['-Dbluegreen.routeHelper=/usr/local/sbin/bluegreen-route']
    def first = mvn('first', ['deploy', '-Pbluegreen', '-Dbluegreen.appArgs=--demo.version=v1'] + helper)
    def second = mvn('second', ['deploy', '-Pbluegreen', '-Dbluegreen.appArgs=--demo.version=v2'] + helper)
    def traffic = server.stopTraffic(new File(basedir, 'traffic'))
    server.check(first[0] == 0 && second[0] == 0, "two deploys through the helper: ${second[1].takeRight(3000)}")
    server.check(server.sdGet('/') == [200, 'version=v2'], "v2 serves: ${server.sdGet('/')}")
    server.check(traffic.failed == '0' && (traffic.'version=v2' as int) > 0, "no request failed: ${traffic}")
    server.check(server.sd('root', 'stat -c %U /etc/nginx/bluegreen/service-url.inc').trim() == 'root', 'the helper wrote the include')

    def direct = mvn('direct', ['deploy', '-Pbluegreen', '-Dbluegreen.appArgs=--demo.version=v3'])
    server.check(direct[0] != 0 && direct[1].contains('cannot write /etc/nginx/bluegreen/service-url.inc'),
            "writing the include directly is refused: ${direct[1].readLines().findAll { it.contains('ERROR') }.take(1)}")
    server.check(server.sdGet('/') == [200, 'version=v2'], 'and changes nothing: v2 still serves')
} finally {
    server.sd('root', 'rm -f /usr/local/sbin/bluegreen-route /etc/sudoers.d/bluegreen-route /etc/bluegreen/routes; chown -R deploy: /etc/nginx/bluegreen')
}
return true
