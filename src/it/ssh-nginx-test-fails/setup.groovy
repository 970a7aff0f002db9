def it = evaluate(new File(itSupportFile))
it.setupLiveV1WithTraffic(basedir)
// someone broke nginx's configuration since its last reload: the running nginx is fine, nginx -t is not
new File(new File(it.env.BLUEGREEN_IT_NGINX_INCLUDE).parentFile, 'broken.inc').text = 'this_is_not_a_directive on;\n'
return true
